//! Convex's statements, character for character as `crates/postgres/src/sql.rs` builds them
//! (`tableify!`/`formatcp!` turned into functions of `multitenant`). `@db_name` and
//! `@instance_name` are substituted per connection, as Convex's `substitute_db_name` does.

pub const CHECK_SCHEMA_SQL: &str = r"SELECT 1 FROM information_schema.schemata WHERE schema_name = $1";

pub const CREATE_SCHEMA_SQL: &str = r"CREATE SCHEMA IF NOT EXISTS @db_name;";

/// The init statements in order; the flag marks CREATE INDEX steps (skipped by
/// `skip_index_creation`).
pub fn init_sql(mt: bool) -> Vec<(String, bool)> {
    let instance_col = if mt { "instance_name TEXT NOT NULL," } else { "" };
    let instance_key = if mt { "instance_name," } else { "" };
    let id_col = if mt { "instance_name TEXT NOT NULL" } else { "id BIGINT NOT NULL" };
    let pk = if mt { "instance_name" } else { "id" };
    vec![
        (
            format!(
                r#"
DO $$
BEGIN
    IF to_regclass('@db_name.documents') IS NULL THEN
        CREATE TABLE IF NOT EXISTS @db_name.documents (
            {instance_col}
            id BYTEA NOT NULL,
            ts BIGINT NOT NULL,

            table_id BYTEA NOT NULL,

            json_value BYTEA NOT NULL,
            deleted BOOLEAN DEFAULT false,

            prev_ts BIGINT
        );
    END IF;
END $$;
"#
            ),
            false,
        ),
        (
            format!(
                r#"
DO $$
BEGIN
    IF to_regclass('@db_name.documents_pkey') IS NULL THEN
        ALTER TABLE @db_name.documents ADD PRIMARY KEY ({instance_key} ts, table_id, id);
    END IF;
    IF to_regclass('@db_name.documents_by_table_and_id') IS NULL THEN
        CREATE INDEX IF NOT EXISTS documents_by_table_and_id ON @db_name.documents (
            {instance_key} table_id, id, ts
        );
    END IF;
    IF to_regclass('@db_name.documents_by_table_ts_and_id') IS NULL THEN
        CREATE INDEX IF NOT EXISTS documents_by_table_ts_and_id ON @db_name.documents (
            {instance_key} table_id, ts, id
        );
    END IF;
END $$;
"#
            ),
            true,
        ),
        (
            format!(
                r#"
DO $$
BEGIN
    IF to_regclass('@db_name.indexes') IS NULL THEN
        CREATE TABLE IF NOT EXISTS @db_name.indexes (
            {instance_col}
            /* ids should be serialized as bytes but we keep it compatible with documents */
            index_id BYTEA NOT NULL,
            ts BIGINT NOT NULL,
            /*
            Postgres maximum primary key length is 2730 bytes, which
            is why we split up the key. The first 2500 bytes are stored in key_prefix,
            and the remaining ones are stored in key suffix if applicable.
            NOTE: The key_prefix + key_suffix is store all values of IndexKey including
            the id.
            */
            key_prefix BYTEA NOT NULL,
            key_suffix BYTEA NULL,

            /* key_sha256 of the full key, used in primary key to avoid duplicates in case
            of key_prefix collision. */
            key_sha256 BYTEA NOT NULL,

            deleted BOOLEAN,

            /* table_id should be populated iff deleted is false. */
            table_id BYTEA NULL,
            /* document_id should be populated iff deleted is false. */
            document_id BYTEA NULL
        );
    END IF;
END $$;
"#
            ),
            false,
        ),
        (
            format!(
                r#"
DO $$
BEGIN
    IF to_regclass('@db_name.indexes_pkey') IS NULL THEN
        ALTER TABLE @db_name.indexes ADD PRIMARY KEY ({instance_key} index_id, key_sha256, ts);
    END IF;
    /* We only want this index created for new instances; existing ones already have `indexes_by_index_id_key_prefix_key_sha256_ts` */
    IF to_regclass('@db_name.indexes_by_index_id_key_prefix_key_sha256_ts') IS NULL AND to_regclass('@db_name.indexes_by_index_id_key_prefix_key_sha256') IS NULL THEN
        CREATE INDEX IF NOT EXISTS indexes_by_index_id_key_prefix_key_sha256 ON @db_name.indexes (
            {instance_key}
            index_id,
            key_prefix,
            key_sha256
        );
    END IF;
END $$;
"#
            ),
            true,
        ),
        (
            format!(
                r#"
DO $$
BEGIN
    IF to_regclass('@db_name.leases') IS NULL THEN
        CREATE TABLE IF NOT EXISTS @db_name.leases (
            {id_col},
            ts BIGINT NOT NULL,

            PRIMARY KEY ({pk})
        );
    END IF;
END $$;
"#
            ),
            false,
        ),
        (
            format!(
                r#"
DO $$
BEGIN
    IF to_regclass('@db_name.read_only') IS NULL THEN
        CREATE TABLE IF NOT EXISTS @db_name.read_only (
            {id_col},

            PRIMARY KEY ({pk})
        );
    END IF;
END $$;
"#
            ),
            false,
        ),
        (
            format!(
                r#"
DO $$
BEGIN
    IF to_regclass('@db_name.persistence_globals') IS NULL THEN
        CREATE TABLE IF NOT EXISTS @db_name.persistence_globals (
            {instance_col}
            key TEXT NOT NULL,
            json_value BYTEA NOT NULL,
            PRIMARY KEY ({instance_key} key)
            );
    END IF;
END $$;
"#
            ),
            false,
        ),
        (
            format!(
                r#"
        INSERT INTO @db_name.leases ({pk}, ts) VALUES ({id_val}, 0) ON CONFLICT DO NOTHING;
    "#,
                id_val = if mt { "@instance_name" } else { "1" }
            ),
            false,
        ),
    ]
}

pub const TABLES: &[&str] = &["documents", "indexes", "leases", "read_only", "persistence_globals"];

const HINT_PAGE: &str = r#"
/*+
    Set(enable_seqscan OFF)
    Set(enable_sort OFF)
    Set(enable_incremental_sort OFF)
    Set(enable_hashjoin OFF)
    Set(enable_mergejoin OFF)
    Set(enable_material OFF)
    Set(plan_cache_mode force_generic_plan)
*/"#;

fn tablet_and_instance_filters(mt: bool, tablet_filter: bool) -> (&'static str, String) {
    let tablet = if tablet_filter { "AND D.table_id = $6" } else { "" };
    let instance = if mt { format!("AND D.instance_name = ${}", if tablet_filter { 7 } else { 6 }) } else { String::new() };
    (tablet, instance)
}

pub fn load_docs_by_ts_page_asc(mt: bool, tablet_filter: bool, include_prev_rev: bool) -> String {
    let (tablet_filter, instance_name_filter) = tablet_and_instance_filters(mt, tablet_filter);
    let prev_rev_col = if include_prev_rev { ", P.json_value" } else { "" };
    let prev_rev_join = if include_prev_rev {
        format!(
            "LEFT JOIN @db_name.documents P
                    ON P.table_id = D.table_id
                    AND P.id = D.id
                    AND P.ts = D.prev_ts
                    {}",
            if mt { "AND P.instance_name = D.instance_name" } else { "" }
        )
    } else {
        String::new()
    };
    format!(
        r#"{HINT_PAGE}
SELECT D.id, D.ts, D.table_id, D.json_value, D.deleted, D.prev_ts
    {prev_rev_col}
    FROM @db_name.documents D
    {prev_rev_join}
    WHERE (D.ts, D.table_id, D.id) > ($1, $2, $3)
    AND D.ts < $4
    {tablet_filter}
    {instance_name_filter}
    ORDER BY D.ts ASC, D.table_id ASC, D.id ASC
    LIMIT $5
"#
    )
}

pub fn load_docs_by_ts_page_desc(mt: bool, tablet_filter: bool, include_prev_rev: bool) -> String {
    let (tablet_filter, instance_name_filter) = tablet_and_instance_filters(mt, tablet_filter);
    let prev_rev_col = if include_prev_rev { ", P.json_value" } else { "" };
    let prev_rev_join = if include_prev_rev {
        format!(
            "LEFT JOIN @db_name.documents P
        ON P.table_id = D.table_id
        AND P.id = D.id
        AND P.ts = D.prev_ts
        {}",
            if mt { "AND P.instance_name = D.instance_name" } else { "" }
        )
    } else {
        String::new()
    };
    format!(
        r#"{HINT_PAGE}
SELECT D.id, D.ts, D.table_id, D.json_value, D.deleted, D.prev_ts
    {prev_rev_col}
    FROM @db_name.documents D
    {prev_rev_join}
    WHERE D.ts >= $1
    AND (D.ts, D.table_id, D.id) < ($2, $3, $4)
    {tablet_filter}
    {instance_name_filter}
    ORDER BY D.ts DESC, D.table_id DESC, D.id DESC
    LIMIT $5
"#
    )
}

fn insert_documents(mt: bool, overwrite: bool) -> String {
    let instance_col = if mt { "instance_name," } else { "" };
    let select_clause = if mt { "$7, *" } else { "*" };
    let conflict = if overwrite {
        "    ON CONFLICT ON CONSTRAINT documents_pkey DO UPDATE
    SET deleted = excluded.deleted, json_value = excluded.json_value
"
    } else {
        ""
    };
    format!(
        r#"INSERT INTO @db_name.documents
    ({instance_col} id, ts, table_id, json_value, deleted, prev_ts)
    SELECT {select_clause} FROM UNNEST(
        $1::BYTEA[],
        $2::BIGINT[],
        $3::BYTEA[],
        $4::BYTEA[],
        $5::BOOLEAN[],
        $6::BIGINT[]
    )
{conflict}"#
    )
}

pub fn insert_document(mt: bool) -> String {
    insert_documents(mt, false)
}

pub fn insert_overwrite_document(mt: bool) -> String {
    insert_documents(mt, true)
}

pub fn load_indexes_page(mt: bool) -> String {
    let where_clause = if mt { "AND instance_name = $6" } else { "" };
    format!(
        r#"{HINT_PAGE}
SELECT
    index_id, key_prefix, key_sha256, key_suffix, ts, deleted
    FROM @db_name.indexes
    WHERE (index_id, key_prefix, key_sha256, ts) > ($1, $2, $3, $4)
    {where_clause}
    ORDER BY index_id ASC, key_prefix ASC, key_sha256 ASC, ts ASC
    LIMIT $5
"#
    )
}

fn insert_indexes(mt: bool, overwrite: bool) -> String {
    let instance_col = if mt { "instance_name," } else { "" };
    let select_clause = if mt { "$9, *" } else { "*" };
    let conflict = if overwrite {
        "    ON CONFLICT ON CONSTRAINT indexes_pkey DO UPDATE
    SET deleted = excluded.deleted, table_id = excluded.table_id, document_id = excluded.document_id
"
    } else {
        ""
    };
    format!(
        r#"INSERT INTO @db_name.indexes
    ({instance_col} index_id, ts, key_prefix, key_suffix, key_sha256, deleted, table_id, document_id)
    SELECT {select_clause} FROM UNNEST(
        $1::BYTEA[],
        $2::BIGINT[],
        $3::BYTEA[],
        $4::BYTEA[],
        $5::BYTEA[],
        $6::BOOLEAN[],
        $7::BYTEA[],
        $8::BYTEA[]
    )
{conflict}"#
    )
}

pub fn insert_index(mt: bool) -> String {
    insert_indexes(mt, false)
}

pub fn insert_overwrite_index(mt: bool) -> String {
    insert_indexes(mt, true)
}

const HINT_DELETE: &str = r#"
/*+
    Set(enable_seqscan OFF)
    Set(plan_cache_mode force_generic_plan)
*/"#;

pub fn delete_index(mt: bool) -> String {
    let instance_clause = if mt { " AND instance_name = $5" } else { "" };
    format!(
        r#"{HINT_DELETE}
DELETE FROM @db_name.indexes WHERE
    (index_id = $1 AND key_prefix = $2 AND key_sha256 = $3 AND ts <= $4{instance_clause})
"#
    )
}

pub fn delete_document(mt: bool) -> String {
    let instance_clause = if mt { " AND instance_name = $4" } else { "" };
    format!(
        r#"{HINT_DELETE}
DELETE FROM @db_name.documents WHERE
    (table_id = $1 AND id = $2 AND ts <= $3{instance_clause})
"#
    )
}

pub fn delete_index_chunk(mt: bool) -> String {
    let ic = if mt { " AND instance_name = $33" } else { "" };
    let terms: Vec<String> = (0..8)
        .map(|i| {
            let b = i * 4;
            format!(
                "    (index_id = ${} AND key_prefix = ${} AND key_sha256 = ${} AND ts <= ${}{ic})",
                b + 1,
                b + 2,
                b + 3,
                b + 4
            )
        })
        .collect();
    format!("{HINT_DELETE}\nDELETE FROM @db_name.indexes WHERE\n{}\n", terms.join(" OR\n"))
}

pub fn delete_document_chunk(mt: bool) -> String {
    let ic = if mt { " AND instance_name = $25" } else { "" };
    let terms: Vec<String> = (0..8)
        .map(|i| {
            let b = i * 3;
            format!("    (table_id = ${} AND id = ${} AND ts <= ${}{ic})", b + 1, b + 2, b + 3)
        })
        .collect();
    format!("{HINT_DELETE}\nDELETE FROM @db_name.documents WHERE\n{}\n", terms.join(" OR\n"))
}

pub fn delete_tablet_chunk(mt: bool) -> String {
    let instance_clause = if mt { " AND instance_name = $2" } else { "" };
    let limit_param = if mt { 3 } else { 2 };
    format!(
        r#"DELETE FROM @db_name.documents WHERE table_id = $1 AND id IN (
            SELECT id FROM @db_name.documents
            WHERE table_id = $1{instance_clause}
            LIMIT ${limit_param}
        ){instance_clause}
"#
    )
}

pub fn write_persistence_global(mt: bool) -> String {
    let instance_col = if mt { "instance_name," } else { "" };
    let values_clause = if mt { "$3," } else { "" };
    format!(
        r#"INSERT INTO @db_name.persistence_globals
    ({instance_col} key, json_value)
    VALUES ({values_clause} $1, $2)
    ON CONFLICT ON CONSTRAINT persistence_globals_pkey DO UPDATE
    SET json_value = excluded.json_value
"#
    )
}

pub fn get_persistence_global(mt: bool) -> String {
    let instance_clause = if mt { " AND instance_name = $2" } else { "" };
    format!("SELECT json_value FROM @db_name.persistence_globals WHERE key = $1{instance_clause}")
}

pub fn check_newly_created(mt: bool) -> String {
    let where_clause = if mt { " WHERE instance_name = $1" } else { "" };
    format!("SELECT 1 FROM @db_name.documents{where_clause} LIMIT 1")
}

pub fn check_is_read_only(mt: bool) -> String {
    let where_clause = if mt { " WHERE instance_name = $1" } else { "" };
    format!("SELECT 1 FROM @db_name.read_only{where_clause} LIMIT 1")
}

pub fn set_read_only(mt: bool) -> String {
    let (column, value) = if mt { ("instance_name", "$1") } else { ("id", "1") };
    format!("INSERT INTO @db_name.read_only ({column}) VALUES ({value})")
}

pub fn unset_read_only(mt: bool) -> String {
    let (column, value) = if mt { ("instance_name", "$1") } else { ("id", "1") };
    format!("DELETE FROM @db_name.read_only WHERE {column} = {value}")
}

fn lease_key(mt: bool) -> (&'static str, &'static str) {
    if mt {
        ("instance_name", "$2")
    } else {
        ("id", "1")
    }
}

/// If this returns a row, the lease is held until the end of the transaction.
pub fn lease_precond(mt: bool) -> String {
    let (column, value) = lease_key(mt);
    format!("SELECT 1 FROM @db_name.leases WHERE {column}={value} AND ts=$1 FOR SHARE")
}

pub fn advisory_lease_check(mt: bool) -> String {
    let (column, value) = lease_key(mt);
    format!("SELECT 1 FROM @db_name.leases WHERE {column}={value} AND ts=$1")
}

pub fn lease_acquire(mt: bool) -> String {
    let (column, value) = lease_key(mt);
    format!("UPDATE @db_name.leases SET ts=$1 WHERE {column}={value} AND ts<$1")
}

#[derive(PartialEq, Eq, Hash, Copy, Clone, Debug)]
pub enum BoundType {
    Unbounded,
    Included,
    Excluded,
}

/// One of Convex's pre-built index-scan queries (`INDEX_QUERIES`), built the same way.
pub fn index_query(lower: BoundType, upper: BoundType, asc: bool, mt: bool) -> String {
    let mut current_arg = 1..;
    let mut next_arg = || current_arg.next().unwrap();
    let mut where_clause = format!("index_id = ${}", next_arg());
    let ts_arg = next_arg();
    where_clause.push_str(&format!(" AND ts <= ${ts_arg}"));
    match lower {
        BoundType::Unbounded => {},
        BoundType::Included => where_clause.push_str(&format!(" AND (key_prefix, key_sha256) >= (${}, ${})", next_arg(), next_arg())),
        BoundType::Excluded => where_clause.push_str(&format!(" AND (key_prefix, key_sha256) > (${}, ${})", next_arg(), next_arg())),
    }
    match upper {
        BoundType::Unbounded => {},
        BoundType::Included => where_clause.push_str(&format!(" AND (key_prefix, key_sha256) <= (${}, ${})", next_arg(), next_arg())),
        BoundType::Excluded => where_clause.push_str(&format!(" AND (key_prefix, key_sha256) < (${}, ${})", next_arg(), next_arg())),
    }
    let limit_arg = next_arg();
    let (indexes_instance_clause, documents_instance_clause) = if mt {
        let instance_arg = next_arg();
        (format!(" AND instance_name = ${instance_arg}"), format!(" AND D.instance_name = ${instance_arg}"))
    } else {
        (String::new(), String::new())
    };
    let order_str = if asc { "ASC" } else { "DESC" };
    format!(
        r#"
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
    WHERE {where_clause}{indexes_instance_clause}
    ORDER BY key_prefix {order_str}, key_sha256 {order_str}, ts DESC
    LIMIT ${limit_arg}
) A
LEFT JOIN @db_name.documents D
    ON  D.ts          = A.ts
    AND D.table_id    = A.table_id
    AND D.id          = A.document_id{documents_instance_clause}
ORDER BY key_prefix {order_str}, key_sha256 {order_str}
"#
    )
}

const REV_COLUMNS: &str = "id, ts, table_id, json_value, deleted, prev_ts";

pub fn prev_rev_chunk(mt: bool) -> String {
    let ic = if mt { " AND instance_name = $25" } else { "" };
    let ctes: Vec<String> = (0..8)
        .map(|i| {
            let b = i * 3;
            format!(
                "    q{} AS (SELECT {REV_COLUMNS}, ${}::BIGINT as query_ts FROM @db_name.documents WHERE table_id = ${} AND id = ${} and ts < ${}{ic} ORDER BY ts DESC LIMIT 1)",
                i + 1,
                b + 3,
                b + 1,
                b + 2,
                b + 3
            )
        })
        .collect();
    rev_union(&ctes)
}

pub fn exact_rev_chunk(mt: bool) -> String {
    let ic = if mt { " AND instance_name = $33" } else { "" };
    let ctes: Vec<String> = (0..8)
        .map(|i| {
            let b = i * 4;
            format!(
                "    q{} AS (SELECT {REV_COLUMNS}, ${}::BIGINT as query_ts FROM @db_name.documents WHERE table_id = ${} AND id = ${} and ts = ${}{ic})",
                i + 1,
                b + 4,
                b + 1,
                b + 2,
                b + 3
            )
        })
        .collect();
    rev_union(&ctes)
}

fn rev_union(ctes: &[String]) -> String {
    let selects: Vec<String> = (1..=8)
        .map(|i| format!("{}SELECT {REV_COLUMNS}, query_ts FROM q{i}", if i == 1 { "" } else { "UNION ALL " }))
        .collect();
    format!("{HINT_PAGE}\nWITH\n{}\n{};\n", ctes.join(",\n"), selects.join("\n"))
}

pub fn prev_rev(mt: bool) -> String {
    let instance_clause = if mt { " AND instance_name = $4" } else { "" };
    format!(
        r#"{HINT_PAGE}
SELECT id, ts, table_id, json_value, deleted, prev_ts, $3::BIGINT as query_ts
FROM @db_name.documents
WHERE
    table_id = $1 AND
    id = $2 AND
    ts < $3{instance_clause}
ORDER BY ts desc
LIMIT 1
"#
    )
}

pub fn exact_rev(mt: bool) -> String {
    let instance_clause = if mt { " AND instance_name = $5" } else { "" };
    format!(
        r#"{HINT_PAGE}
SELECT id, ts, table_id, json_value, deleted, prev_ts, $4::BIGINT as query_ts
FROM @db_name.documents
WHERE
    table_id = $1 AND
    id = $2 AND
    ts = $3{instance_clause}
"#
    )
}

// N.B.: tokio-postgres doesn't know how to create regclass values
pub const TABLE_SIZE_QUERY: &str = r"SELECT
pg_table_size($1::text::regclass),
pg_indexes_size($1::text::regclass),
(SELECT reltuples::bigint FROM pg_class WHERE oid = $1::text::regclass)";

pub fn import_documents_batch(mt: bool) -> String {
    format!(
        "COPY @db_name.documents ({} id, ts, table_id, json_value, deleted, prev_ts) FROM STDIN BINARY",
        if mt { "instance_name," } else { "" }
    )
}

pub fn import_indexes_batch(mt: bool) -> String {
    format!(
        "COPY @db_name.indexes ({} index_id, ts, key_prefix, key_suffix, key_sha256, deleted, table_id, document_id) FROM STDIN BINARY",
        if mt { "instance_name," } else { "" }
    )
}
