//! Convex's statements, copied from get-convex/convex-backend crates/postgres/src/sql.rs
//! (single-tenant variants, no tablet filter), `@db_name` standing for the schema as there.

/// Schema initialisation, in Convex's order (run as simple queries, as Convex does).
pub const INIT: &[&str] = &[
    "CREATE SCHEMA IF NOT EXISTS @db_name;",
    r#"
DO $$
BEGIN
    IF to_regclass('@db_name.documents') IS NULL THEN
        CREATE TABLE IF NOT EXISTS @db_name.documents (
            id BYTEA NOT NULL,
            ts BIGINT NOT NULL,

            table_id BYTEA NOT NULL,

            json_value BYTEA NOT NULL,
            deleted BOOLEAN DEFAULT false,

            prev_ts BIGINT
        );
    END IF;
END $$;
"#,
    r#"
DO $$
BEGIN
    IF to_regclass('@db_name.documents_pkey') IS NULL THEN
        ALTER TABLE @db_name.documents ADD PRIMARY KEY ( ts, table_id, id);
    END IF;
    IF to_regclass('@db_name.documents_by_table_and_id') IS NULL THEN
        CREATE INDEX IF NOT EXISTS documents_by_table_and_id ON @db_name.documents (
             table_id, id, ts
        );
    END IF;
    IF to_regclass('@db_name.documents_by_table_ts_and_id') IS NULL THEN
        CREATE INDEX IF NOT EXISTS documents_by_table_ts_and_id ON @db_name.documents (
             table_id, ts, id
        );
    END IF;
END $$;
"#,
    r#"
DO $$
BEGIN
    IF to_regclass('@db_name.indexes') IS NULL THEN
        CREATE TABLE IF NOT EXISTS @db_name.indexes (
            index_id BYTEA NOT NULL,
            ts BIGINT NOT NULL,
            key_prefix BYTEA NOT NULL,
            key_suffix BYTEA NULL,
            key_sha256 BYTEA NOT NULL,
            deleted BOOLEAN,
            table_id BYTEA NULL,
            document_id BYTEA NULL
        );
    END IF;
END $$;
"#,
    r#"
DO $$
BEGIN
    IF to_regclass('@db_name.indexes_pkey') IS NULL THEN
        ALTER TABLE @db_name.indexes ADD PRIMARY KEY ( index_id, key_sha256, ts);
    END IF;
    IF to_regclass('@db_name.indexes_by_index_id_key_prefix_key_sha256_ts') IS NULL AND to_regclass('@db_name.indexes_by_index_id_key_prefix_key_sha256') IS NULL THEN
        CREATE INDEX IF NOT EXISTS indexes_by_index_id_key_prefix_key_sha256 ON @db_name.indexes (
            index_id,
            key_prefix,
            key_sha256
        );
    END IF;
END $$;
"#,
    r#"
DO $$
BEGIN
    IF to_regclass('@db_name.leases') IS NULL THEN
        CREATE TABLE IF NOT EXISTS @db_name.leases (
            id BIGINT NOT NULL,
            ts BIGINT NOT NULL,

            PRIMARY KEY (id)
        );
    END IF;
END $$;
"#,
    r#"
DO $$
BEGIN
    IF to_regclass('@db_name.read_only') IS NULL THEN
        CREATE TABLE IF NOT EXISTS @db_name.read_only (
            id BIGINT NOT NULL,

            PRIMARY KEY (id)
        );
    END IF;
END $$;
"#,
    r#"
DO $$
BEGIN
    IF to_regclass('@db_name.persistence_globals') IS NULL THEN
        CREATE TABLE IF NOT EXISTS @db_name.persistence_globals (
            key TEXT NOT NULL,
            json_value BYTEA NOT NULL,
            PRIMARY KEY ( key)
            );
    END IF;
END $$;
"#,
    "
        INSERT INTO @db_name.leases (id, ts) VALUES (1, 0) ON CONFLICT DO NOTHING;
    ",
];

const HINTS: &str = "
/*+
    Set(enable_seqscan OFF)
    Set(enable_sort OFF)
    Set(enable_incremental_sort OFF)
    Set(enable_hashjoin OFF)
    Set(enable_mergejoin OFF)
    Set(enable_material OFF)
    Set(plan_cache_mode force_generic_plan)
*/
";

/// Not Convex's: the cheapest statement there is, for the fixed cost of a round trip.
pub const SELECT_ONE: &str = "SELECT 1";

pub const GET_PERSISTENCE_GLOBAL: &str = "SELECT json_value FROM @db_name.persistence_globals WHERE key = $1";

pub const WRITE_PERSISTENCE_GLOBAL: &str = r#"INSERT INTO @db_name.persistence_globals
    ( key, json_value)
    VALUES ( $1, $2)
    ON CONFLICT ON CONSTRAINT persistence_globals_pkey DO UPDATE
    SET json_value = excluded.json_value
"#;

pub fn exact_rev() -> String {
    format!(
        "{HINTS}SELECT id, ts, table_id, json_value, deleted, prev_ts, $4::BIGINT as query_ts
FROM @db_name.documents
WHERE
    table_id = $1 AND
    id = $2 AND
    ts = $3
"
    )
}

pub fn prev_rev() -> String {
    format!(
        "{HINTS}SELECT id, ts, table_id, json_value, deleted, prev_ts, $3::BIGINT as query_ts
FROM @db_name.documents
WHERE
    table_id = $1 AND
    id = $2 AND
    ts < $3
ORDER BY ts desc
LIMIT 1
"
    )
}

/// The 8-branch CTE: `<` with `ORDER BY ts DESC LIMIT 1` (prev_rev_chunk) or `=` (exact_rev_chunk).
fn rev_chunk(exact: bool) -> String {
    let width = if exact { 4 } else { 3 };
    let branches: Vec<String> = (0..8)
        .map(|i| {
            let p = i * width;
            let (query_ts, cmp, tail) = if exact { (p + 4, "=", "") } else { (p + 3, "<", " ORDER BY ts DESC LIMIT 1") };
            format!(
                "    q{} AS (SELECT id, ts, table_id, json_value, deleted, prev_ts, ${query_ts}::BIGINT as query_ts FROM @db_name.documents WHERE table_id = ${} AND id = ${} and ts {cmp} ${}{tail})",
                i + 1,
                p + 1,
                p + 2,
                p + 3
            )
        })
        .collect();
    let unions: Vec<String> = (2..=8)
        .map(|i| format!("UNION ALL SELECT id, ts, table_id, json_value, deleted, prev_ts, query_ts FROM q{i}"))
        .collect();
    format!(
        "{HINTS}WITH\n{}\nSELECT id, ts, table_id, json_value, deleted, prev_ts, query_ts FROM q1\n{};\n",
        branches.join(",\n"),
        unions.join("\n")
    )
}

pub fn prev_rev_chunk() -> String {
    rev_chunk(false)
}

pub fn exact_rev_chunk() -> String {
    rev_chunk(true)
}

/// load_docs_by_ts_page_asc(multitenant = false, tablet_filter = false, include_prev_rev).
pub fn load_docs_asc(prev_rev: bool) -> String {
    let (col, join) = if prev_rev {
        (
            ", P.json_value",
            "LEFT JOIN @db_name.documents P
                    ON P.table_id = D.table_id
                    AND P.id = D.id
                    AND P.ts = D.prev_ts
                    ",
        )
    } else {
        ("", "")
    };
    format!(
        "{HINTS}SELECT D.id, D.ts, D.table_id, D.json_value, D.deleted, D.prev_ts
    {col}
    FROM @db_name.documents D
    {join}
    WHERE (D.ts, D.table_id, D.id) > ($1, $2, $3)
    AND D.ts < $4
    
    
    ORDER BY D.ts ASC, D.table_id ASC, D.id ASC
    LIMIT $5
"
    )
}

/// load_docs_by_ts_page_desc(multitenant = false, tablet_filter = false, include_prev_rev = false).
pub fn load_docs_desc() -> String {
    format!(
        "{HINTS}SELECT D.id, D.ts, D.table_id, D.json_value, D.deleted, D.prev_ts
    
    FROM @db_name.documents D
    
    WHERE D.ts >= $1
    AND (D.ts, D.table_id, D.id) < ($2, $3, $4)
    
    
    ORDER BY D.ts DESC, D.table_id DESC, D.id DESC
    LIMIT $5
"
    )
}

/// INDEX_QUERIES[(Included, Unbounded, Asc)], single tenant: a page of an index from a key on.
pub const INDEX_PAGE_FROM: &str = r#"
/*+
    Set(enable_seqscan OFF)
    Set(enable_bitmapscan OFF)
    Set(plan_cache_mode force_generic_plan)
    IndexScan(indexes indexes_index_id_key_prefix_key_sha256)
    NestLoop(a d)
    IndexScan(d documents_pkey)
*/
SELECT
    A.index_id,
    A.key_prefix,
    A.key_sha256,
    A.key_suffix,
    A.ts,
    A.deleted,
    A.document_id,
    D.table_id,
    D.json_value,
    D.prev_ts
FROM (
    SELECT DISTINCT ON (key_prefix, key_sha256)
        index_id,
        key_prefix,
        key_sha256,
        key_suffix,
        ts,
        deleted,
        document_id,
        table_id
    FROM @db_name.indexes
    WHERE index_id = $1 AND ts <= $2 AND (key_prefix, key_sha256) >= ($3, $4)
    ORDER BY key_prefix ASC, key_sha256 ASC, ts DESC
    LIMIT $5
) A
LEFT JOIN @db_name.documents D
    ON  D.ts          = A.ts
    AND D.table_id    = A.table_id
    AND D.id          = A.document_id
ORDER BY key_prefix ASC, key_sha256 ASC
"#;

pub const INSERT_DOCUMENT: &str = r#"INSERT INTO @db_name.documents
    ( id, ts, table_id, json_value, deleted, prev_ts)
    SELECT * FROM UNNEST(
        $1::BYTEA[],
        $2::BIGINT[],
        $3::BYTEA[],
        $4::BYTEA[],
        $5::BOOLEAN[],
        $6::BIGINT[]
    )
"#;

pub const INSERT_INDEX: &str = r#"INSERT INTO @db_name.indexes
    ( index_id, ts, key_prefix, key_suffix, key_sha256, deleted, table_id, document_id)
    SELECT * FROM UNNEST(
        $1::BYTEA[],
        $2::BIGINT[],
        $3::BYTEA[],
        $4::BYTEA[],
        $5::BYTEA[],
        $6::BOOLEAN[],
        $7::BYTEA[],
        $8::BYTEA[]
    )
"#;

pub const LEASE_PRECOND: &str = "SELECT 1 FROM @db_name.leases WHERE id=1 AND ts=$1 FOR SHARE";
pub const ADVISORY_LEASE_CHECK: &str = "SELECT 1 FROM @db_name.leases WHERE id=1 AND ts=$1";
pub const LEASE_ACQUIRE: &str = "UPDATE @db_name.leases SET ts=$1 WHERE id=1 AND ts<$1";

/// A statement with the benchmark's schema in place of `@db_name`.
pub fn in_schema(sql: &str) -> String {
    sql.replace("@db_name", crate::data::SCHEMA)
}
