//! `PostgresPersistence` and `PostgresReader` from Convex's `crates/postgres/src/lib.rs`,
//! ported call for call: the same statements (sql.rs), prepared and cached the same way, the
//! same parameters (binary, typed by the server's inferred OIDs), the same pipelining
//! (`try_join!` of prepares and inserts inside a transaction, `buffered(16)` reads), the same
//! lease protocol and the same row decoding and checks.

use std::collections::{BTreeMap, BTreeSet};
use std::error::Error;
use std::str::FromStr;
use std::time::{SystemTime, UNIX_EPOCH};

use bytes::BytesMut;
use futures_util::{stream, StreamExt, TryStreamExt};
use sha2::{Digest, Sha256};
use tokio_postgres::binary_copy::BinaryCopyInWriter;
use tokio_postgres::config::TargetSessionAttrs;
use tokio_postgres::types::{to_sql_checked, IsNull, ToSql, Type};
use tokio_postgres::Row;

use crate::model::*;
use crate::pool::{escape_identifier, escape_literal, Pool, Tx};
use crate::sql::{self, BoundType};

const CHUNK_SIZE: usize = 8;
const NUM_DOCUMENT_PARAMS: usize = 6;
const NUM_INDEX_PARAMS: usize = 8;
const MAX_INSERT_SIZE: usize = 56000;
const PIPELINE_QUERIES: usize = 16;
const INSERTS_PER_STATEMENT: usize = 1024;
const ROWS_PER_COPY_BATCH: usize = 1_000_000;

#[derive(Clone)]
pub struct Options {
    pub allow_read_only: bool,
    pub schema: Option<String>,
    pub instance_name: String,
    pub multitenant: bool,
    pub skip_index_creation: bool,
}

#[derive(Debug)]
pub enum ConnectError {
    ReadOnly,
    Other(Box<dyn Error>),
}

impl<E: Into<Box<dyn Error>>> From<E> for ConnectError {
    fn from(e: E) -> Self {
        ConnectError::Other(e.into())
    }
}

/// Convex's `Param`: every parameter is typed by the statement's (inferred) parameter type.
#[derive(Clone, Debug)]
pub enum Param {
    None,
    Ts(i64),
    Limit(i64),
    Deleted(bool),
    Bytes(Vec<u8>),
    Text(String),
}

impl ToSql for Param {
    to_sql_checked!();

    fn to_sql(&self, ty: &Type, out: &mut BytesMut) -> Result<IsNull, Box<dyn Error + Sync + Send>> {
        match self {
            Param::None => Ok(IsNull::Yes),
            Param::Ts(v) | Param::Limit(v) => v.to_sql(ty, out),
            Param::Deleted(d) => d.to_sql(ty, out),
            Param::Bytes(v) => v.to_sql(ty, out),
            Param::Text(v) => v.to_sql(ty, out),
        }
    }

    fn accepts(ty: &Type) -> bool {
        i64::accepts(ty) || String::accepts(ty) || bool::accepts(ty) || Vec::<u8>::accepts(ty)
    }
}

fn id_param(id: InternalId) -> Param {
    Param::Bytes(id.0.to_vec())
}

fn document_params(entry: &LogEntry) -> [Param; NUM_DOCUMENT_PARAMS] {
    let (json_value, deleted) = match &entry.value {
        Some(doc) => (doc.json.clone(), false),
        None => (b"null".to_vec(), true),
    };
    [
        id_param(entry.id.id),
        Param::Ts(entry.ts),
        id_param(entry.id.table),
        Param::Bytes(json_value),
        Param::Deleted(deleted),
        entry.prev_ts.map_or(Param::None, Param::Ts),
    ]
}

fn index_params(update: &IndexUpdate) -> [Param; NUM_INDEX_PARAMS] {
    let key_sha256 = Sha256::digest(&update.key).to_vec();
    let (prefix, suffix) = split_key(&update.key);
    let (deleted, tablet_id, doc_id) = match update.value {
        None => (Param::Deleted(true), Param::None, Param::None),
        Some(id) => (Param::Deleted(false), id_param(id.table), id_param(id.id)),
    };
    [
        id_param(update.index_id),
        Param::Ts(update.ts),
        Param::Bytes(prefix),
        suffix.map_or(Param::None, Param::Bytes),
        Param::Bytes(key_sha256),
        deleted,
        tablet_id,
        doc_id,
    ]
}

pub struct Persistence {
    pool: Pool,
    schema: String,
    instance: String,
    raw_instance: String,
    multitenant: bool,
    lease_ts: i64,
    pub newly_created: bool,
}

pub async fn connect_config(url: &str) -> Res<tokio_postgres::Config> {
    let mut config = tokio_postgres::Config::from_str(url)?;
    config.target_session_attrs(TargetSessionAttrs::ReadWrite);
    Ok(config)
}

async fn current_schema(pool: &Pool) -> Res<String> {
    let conn = pool.get("", "").await?;
    let row = conn.query_opt("SELECT current_schema()", &[]).await?.ok_or("current_schema() returned nothing?")?;
    Ok(row.try_get::<_, Option<String>>(0)?.ok_or("database has no current_schema()")?)
}

impl Persistence {
    pub async fn new(url: &str, options: Options) -> Result<Persistence, ConnectError> {
        Self::with_pool(Pool::new(connect_config(url).await?), options).await
    }

    pub async fn with_pool(pool: Pool, options: Options) -> Result<Persistence, ConnectError> {
        if !pool.is_leader_only() {
            return Err("PostgresPersistence must be configured with target_session_attrs=read-write".into());
        }
        let schema = escape_identifier(&match &options.schema {
            Some(s) => s.clone(),
            None => current_schema(&pool).await?,
        });
        let instance = escape_literal(&options.instance_name);
        let mt = options.multitenant;
        let newly_created = {
            let conn = pool.get(&schema, &instance).await?;
            // Only create a schema that was asked for and is missing.
            if let Some(raw) = &options.schema {
                if conn.query_opt(sql::CHECK_SCHEMA_SQL, &[raw]).await?.is_none() {
                    conn.batch_execute(sql::CREATE_SCHEMA_SQL).await?;
                }
            }
            for (stmt, is_create_index) in sql::init_sql(mt) {
                if is_create_index && options.skip_index_creation {
                    continue;
                }
                conn.batch_execute(&stmt).await?;
            }
            let params: Vec<&(dyn ToSql + Sync)> = if mt { vec![&options.instance_name] } else { vec![] };
            if !options.allow_read_only && conn.query_opt(&sql::check_is_read_only(mt), &params).await?.is_some() {
                return Err(ConnectError::ReadOnly);
            }
            conn.query_opt(&sql::check_newly_created(mt), &params).await?.is_none()
        };
        let lease_ts = Self::acquire_lease(&pool, &schema, &instance, &options.instance_name, mt).await?;
        Ok(Persistence { pool, schema, instance, raw_instance: options.instance_name, multitenant: mt, lease_ts, newly_created })
    }

    /// `Lease::acquire`: take the lease with the current time in nanoseconds (~1.8·10^18),
    /// unless someone holds it with a higher timestamp (the row count says which).
    async fn acquire_lease(pool: &Pool, schema: &str, instance: &str, raw_instance: &String, mt: bool) -> Res<i64> {
        let conn = pool.get(schema, instance).await?;
        let ts = SystemTime::now().duration_since(UNIX_EPOCH)?.as_nanos() as i64;
        let stmt = conn.prepare_cached(&sql::lease_acquire(mt)).await?;
        let mut params: Vec<&(dyn ToSql + Sync)> = vec![&ts];
        if mt {
            params.push(raw_instance);
        }
        let rows_modified = conn.execute(&stmt, &params).await?;
        ensure!(rows_modified == 1, "failed to acquire lease: Already acquired with higher timestamp");
        Ok(ts)
    }

    /// `PostgresPersistence::set_read_only`.
    pub async fn set_read_only(url: &str, options: &Options, read_only: bool) -> Res<()> {
        let pool = Pool::new(connect_config(url).await?);
        let schema = escape_identifier(&match &options.schema {
            Some(s) => s.clone(),
            None => current_schema(&pool).await?,
        });
        let instance = escape_literal(&options.instance_name);
        let mt = options.multitenant;
        let conn = pool.get(&schema, &instance).await?;
        let statement = if read_only { sql::set_read_only(mt) } else { sql::unset_read_only(mt) };
        let statement = conn.prepare_cached(&statement).await?;
        let params: Vec<&(dyn ToSql + Sync)> = if mt { vec![&options.instance_name] } else { vec![] };
        conn.execute(&statement, &params).await?;
        Ok(())
    }

    fn instance_param(&self) -> Option<Param> {
        self.multitenant.then(|| Param::Text(self.raw_instance.clone()))
    }

    /// `Lease::transact`: a transaction whose statements run pipelined with an advisory lease
    /// check, then `FOR SHARE` on the lease row, then COMMIT. Either check finding no row means
    /// the lease was lost.
    pub async fn transact<T>(&self, f: impl AsyncFnOnce(&Tx<'_>) -> Res<T>) -> Res<T> {
        let mut conn = self.pool.get(&self.schema, &self.instance).await?;
        let tx = conn.transaction().await?;
        let mt = self.multitenant;
        let advisory_lease_check = async {
            let stmt = tx.prepare_cached(&sql::advisory_lease_check(mt)).await?;
            let mut params: Vec<&(dyn ToSql + Sync)> = vec![&self.lease_ts];
            if mt {
                params.push(&self.raw_instance);
            }
            let rows = tx.query(&stmt, &params).await?;
            ensure!(rows.len() == 1, "lease lost");
            Ok(())
        };
        let ((), result) = futures_util::future::try_join(advisory_lease_check, f(&tx)).await?;
        let stmt = tx.prepare_cached(&sql::lease_precond(mt)).await?;
        let mut params: Vec<&(dyn ToSql + Sync)> = vec![&self.lease_ts];
        if mt {
            params.push(&self.raw_instance);
        }
        let rows = tx.query(&stmt, &params).await?;
        ensure!(rows.len() == 1, "lease lost");
        tx.commit().await?;
        Ok(result)
    }

    /// Test-only (not Convex's): a transaction that takes the lease row `FOR SHARE` first and
    /// holds it while `f` runs, then commits.
    pub async fn hold_lease(&self, f: impl AsyncFnOnce() -> Res<()>) -> Res<()> {
        let mut conn = self.pool.get(&self.schema, &self.instance).await?;
        let tx = conn.transaction().await?;
        let stmt = tx.prepare_cached(&sql::lease_precond(self.multitenant)).await?;
        let mut params: Vec<&(dyn ToSql + Sync)> = vec![&self.lease_ts];
        if self.multitenant {
            params.push(&self.raw_instance);
        }
        ensure!(tx.query(&stmt, &params).await?.len() == 1, "lease lost");
        f().await?;
        tx.commit().await
    }

    pub async fn write(&self, documents: &[LogEntry], indexes: &[IndexUpdate], overwrite: bool) -> Res<()> {
        ensure!(documents.len() <= MAX_INSERT_SIZE, "too many documents");
        let mt = self.multitenant;
        let instance = self.instance_param();
        self.transact(async |tx: &Tx<'_>| {
            let (insert_documents, insert_indexes) = futures_util::future::try_join(
                tx.prepare_cached(&if overwrite { sql::insert_overwrite_document(mt) } else { sql::insert_document(mt) }),
                tx.prepare_cached(&if overwrite { sql::insert_overwrite_index(mt) } else { sql::insert_index(mt) }),
            )
            .await?;
            let insert_docs = async {
                for chunk in documents.chunks(INSERTS_PER_STATEMENT) {
                    let mut columns: [Vec<Param>; NUM_DOCUMENT_PARAMS] = std::array::from_fn(|_| Vec::with_capacity(chunk.len()));
                    for entry in chunk {
                        for (column, param) in columns.iter_mut().zip(document_params(entry)) {
                            column.push(param);
                        }
                    }
                    let mut params: Vec<&(dyn ToSql + Sync)> = columns.iter().map(|v| v as &(dyn ToSql + Sync)).collect();
                    if let Some(i) = &instance {
                        params.push(i);
                    }
                    tx.execute_raw(&insert_documents, params).await?;
                }
                Res::Ok(())
            };
            let insert_idxs = async {
                for chunk in indexes.chunks(INSERTS_PER_STATEMENT) {
                    let mut columns: [Vec<Param>; NUM_INDEX_PARAMS] = std::array::from_fn(|_| Vec::with_capacity(chunk.len()));
                    for update in chunk {
                        for (column, param) in columns.iter_mut().zip(index_params(update)) {
                            column.push(param);
                        }
                    }
                    let mut params: Vec<&(dyn ToSql + Sync)> = columns.iter().map(|v| v as &(dyn ToSql + Sync)).collect();
                    if let Some(i) = &instance {
                        params.push(i);
                    }
                    tx.execute_raw(&insert_indexes, params).await?;
                }
                Res::Ok(())
            };
            futures_util::future::try_join(insert_docs, insert_idxs).await?;
            Ok(())
        })
        .await
    }

    pub async fn write_persistence_global(&self, key: &str, json: &str) -> Res<()> {
        let mt = self.multitenant;
        self.transact(async |tx: &Tx<'_>| {
            let stmt = tx.prepare_cached(&sql::write_persistence_global(mt)).await?;
            let mut params = vec![Param::Text(key.to_string()), Param::Bytes(json.as_bytes().to_vec())];
            params.extend(self.instance_param());
            tx.execute_raw(&stmt, params).await?;
            Ok(())
        })
        .await
    }

    pub async fn load_index_chunk(&self, cursor: Option<&IndexEntry>, chunk_size: usize) -> Res<Vec<IndexEntry>> {
        let conn = self.pool.get(&self.schema, &self.instance).await?;
        let mut params = index_cursor_params(cursor);
        params.push(Param::Limit(chunk_size as i64));
        params.extend(self.instance_param());
        let stmt = conn.prepare_cached(&sql::load_indexes_page(self.multitenant)).await?;
        conn.query_raw(&stmt, &params).await?.iter().map(parse_index_row).collect()
    }

    pub async fn delete_index_entries(&self, expired: Vec<IndexEntry>) -> Res<usize> {
        let mt = self.multitenant;
        self.transact(async |tx: &Tx<'_>| {
            let mut deleted = 0;
            let mut chunks = expired.chunks_exact(CHUNK_SIZE);
            for chunk in &mut chunks {
                let stmt = tx.prepare_cached(&sql::delete_index_chunk(mt)).await?;
                let mut params: Vec<Param> = chunk.iter().flat_map(|e| index_cursor_params(Some(e))).collect();
                params.extend(self.instance_param());
                deleted += tx.execute_raw(&stmt, params).await?;
            }
            for entry in chunks.remainder() {
                let stmt = tx.prepare_cached(&sql::delete_index(mt)).await?;
                let mut params = index_cursor_params(Some(entry));
                params.extend(self.instance_param());
                deleted += tx.execute_raw(&stmt, params).await?;
            }
            Ok(deleted as usize)
        })
        .await
    }

    pub async fn delete(&self, documents: Vec<(Ts, DocId)>) -> Res<usize> {
        let mt = self.multitenant;
        self.transact(async |tx: &Tx<'_>| {
            let mut deleted = 0;
            let mut chunks = documents.chunks_exact(CHUNK_SIZE);
            for chunk in &mut chunks {
                let stmt = tx.prepare_cached(&sql::delete_document_chunk(mt)).await?;
                let mut params: Vec<Param> = chunk.iter().flat_map(document_cursor_params).collect();
                params.extend(self.instance_param());
                deleted += tx.execute_raw(&stmt, params).await?;
            }
            for document in chunks.remainder() {
                let stmt = tx.prepare_cached(&sql::delete_document(mt)).await?;
                let mut params = document_cursor_params(document);
                params.extend(self.instance_param());
                deleted += tx.execute_raw(&stmt, params).await?;
            }
            Ok(deleted as usize)
        })
        .await
    }

    pub async fn delete_tablet_documents(&self, tablet: TabletId, chunk_size: usize) -> Res<usize> {
        let mt = self.multitenant;
        self.transact(async |tx: &Tx<'_>| {
            let stmt = tx.prepare_cached(&sql::delete_tablet_chunk(mt)).await?;
            let mut params = vec![id_param(tablet)];
            params.extend(self.instance_param());
            params.push(Param::Limit(chunk_size as i64));
            Ok(tx.execute_raw(&stmt, params).await? as usize)
        })
        .await
    }

    /// `import_documents_batch`: COPY … FROM STDIN BINARY through `BinaryCopyInWriter`, a new
    /// COPY every ROWS_PER_COPY_BATCH rows. Not in a transaction, as in Convex.
    pub async fn import_documents_batch(&self, chunks: Vec<Vec<LogEntry>>) -> Res<u64> {
        let conn = self.pool.get(&self.schema, &self.instance).await?;
        let stmt = conn.prepare_cached(&sql::import_documents_batch(self.multitenant)).await?;
        let types = [Type::TEXT, Type::BYTEA, Type::INT8, Type::BYTEA, Type::BYTEA, Type::BOOL, Type::INT8];
        let types = if self.multitenant { &types[..] } else { &types[1..] };
        let mut total = 0;
        let mut chunks = chunks.into_iter().peekable();
        loop {
            let sink = conn.copy_in(&stmt).await?;
            let writer = BinaryCopyInWriter::new(sink, types);
            futures_util::pin_mut!(writer);
            let mut batch_count = 0;
            while let Some(chunk) = chunks.next() {
                for entry in &chunk {
                    let mut params: Vec<Param> = self.instance_param().into_iter().collect();
                    params.extend(document_params(entry));
                    writer.as_mut().write_raw(params.iter().map(|p| p as &(dyn ToSql + Sync))).await?;
                }
                batch_count += chunk.len();
                if batch_count >= ROWS_PER_COPY_BATCH {
                    break;
                }
            }
            total += writer.finish().await?;
            if chunks.peek().is_none() {
                return Ok(total);
            }
        }
    }

    /// Test-only: a COPY abandoned midway (the sink dropped unfinished, so the driver sends
    /// CopyFail); the connection must stay usable.
    pub async fn import_abandoned(&self, documents: &[LogEntry]) -> Res<()> {
        let conn = self.pool.get(&self.schema, &self.instance).await?;
        let stmt = conn.prepare_cached(&sql::import_documents_batch(self.multitenant)).await?;
        let types = [Type::TEXT, Type::BYTEA, Type::INT8, Type::BYTEA, Type::BYTEA, Type::BOOL, Type::INT8];
        let types = if self.multitenant { &types[..] } else { &types[1..] };
        {
            let sink = conn.copy_in(&stmt).await?;
            let writer = BinaryCopyInWriter::new(sink, types);
            futures_util::pin_mut!(writer);
            for entry in documents {
                let mut params: Vec<Param> = self.instance_param().into_iter().collect();
                params.extend(document_params(entry));
                writer.as_mut().write_raw(params.iter().map(|p| p as &(dyn ToSql + Sync))).await?;
            }
        }
        let one: i32 = conn.query_opt("SELECT 1", &[]).await?.ok_or("no row")?.get(0);
        ensure!(one == 1, "connection unusable after CopyFail");
        Ok(())
    }

    /// `import_indexes_batch`.
    pub async fn import_indexes_batch(&self, chunks: Vec<Vec<IndexUpdate>>) -> Res<u64> {
        let conn = self.pool.get(&self.schema, &self.instance).await?;
        let stmt = conn.prepare_cached(&sql::import_indexes_batch(self.multitenant)).await?;
        let types = [Type::TEXT, Type::BYTEA, Type::INT8, Type::BYTEA, Type::BYTEA, Type::BYTEA, Type::BOOL, Type::BYTEA, Type::BYTEA];
        let types = if self.multitenant { &types[..] } else { &types[1..] };
        let sink = conn.copy_in(&stmt).await?;
        let writer = BinaryCopyInWriter::new(sink, types);
        futures_util::pin_mut!(writer);
        for chunk in chunks {
            for update in &chunk {
                let mut params: Vec<Param> = self.instance_param().into_iter().collect();
                params.extend(index_params(update));
                writer.as_mut().write_raw(params.iter().map(|p| p as &(dyn ToSql + Sync))).await?;
            }
        }
        Ok(writer.finish().await?)
    }

    /// `finish_loading`: the CREATE INDEX steps skipped by `skip_index_creation`.
    pub async fn finish_loading(&self) -> Res<()> {
        let conn = self.pool.get(&self.schema, &self.instance).await?;
        for (stmt, is_create_index) in sql::init_sql(self.multitenant) {
            if is_create_index {
                conn.batch_execute(&stmt).await?;
            }
        }
        Ok(())
    }

    // ---- PersistenceReader ----

    fn row_to_document(&self, row: &Row) -> Res<LogEntry> {
        let internal_id = InternalId::from_slice(&row.get::<_, Vec<u8>>(0))?;
        let ts: i64 = row.get(1);
        let table = InternalId::from_slice(&row.get::<_, Vec<u8>>(2))?;
        let json: Vec<u8> = row.get(3);
        // Convex parses every value; a bad one fails the read.
        serde_json::from_slice::<serde_json::Value>(&json).map_err(|e| format!("Failed to deserialize database value: {e}"))?;
        let deleted: bool = row.get(4);
        let id = DocId { table, id: internal_id };
        let prev_ts: Option<i64> = row.get(5);
        Ok(LogEntry { ts, id, value: (!deleted).then(|| Doc { id, json }), prev_ts })
    }

    /// `_load_documents`: pages keyed by (ts, table_id, id), exclusive cursor.
    pub async fn load_revision_pairs_inner(
        &self,
        tablet: Option<TabletId>,
        include_prev_rev: bool,
        range: TsRange,
        order: Order,
        page_size: u32,
        retention: Retention,
    ) -> Res<Vec<(LogEntry, Option<Option<Doc>>)>> {
        let mt = self.multitenant;
        let (mut last_ts, mut last_tablet, mut last_id) = match order {
            Order::Asc => (range.start_inclusive - 1, InternalId::AFTER_ALL_BYTES.to_vec(), InternalId::AFTER_ALL_BYTES.to_vec()),
            Order::Desc => (range.max_timestamp_exclusive(), InternalId::BEFORE_ALL_BYTES.to_vec(), InternalId::BEFORE_ALL_BYTES.to_vec()),
        };
        let mut out = vec![];
        loop {
            let conn = self.pool.get(&self.schema, &self.instance).await?;
            let (query, mut params) = match order {
                Order::Asc => (
                    sql::load_docs_by_ts_page_asc(mt, tablet.is_some(), include_prev_rev),
                    vec![
                        Param::Ts(last_ts),
                        Param::Bytes(last_tablet.clone()),
                        Param::Bytes(last_id.clone()),
                        Param::Ts(range.max_timestamp_exclusive()),
                        Param::Limit(page_size as i64),
                    ],
                ),
                Order::Desc => (
                    sql::load_docs_by_ts_page_desc(mt, tablet.is_some(), include_prev_rev),
                    vec![
                        Param::Ts(range.start_inclusive),
                        Param::Ts(last_ts),
                        Param::Bytes(last_tablet.clone()),
                        Param::Bytes(last_id.clone()),
                        Param::Limit(page_size as i64),
                    ],
                ),
            };
            if let Some(t) = tablet {
                params.push(id_param(t));
            }
            params.extend(self.instance_param());
            let stmt = conn.prepare_cached(&query).await?;
            let rows = conn.query_raw(&stmt, &params).await?;
            drop(conn);
            let mut rows_loaded = 0;
            for row in &rows {
                let prev_rev_value: Option<Option<Doc>> = None;
                let entry = self.row_to_document(row)?;
                let prev = if include_prev_rev {
                    let v: Option<Vec<u8>> = row.try_get(6)?;
                    Some(v.map(|json| Doc { id: entry.id, json }))
                } else {
                    prev_rev_value
                };
                rows_loaded += 1;
                last_ts = entry.ts;
                last_tablet = entry.id.table.0.to_vec();
                last_id = entry.id.id.0.to_vec();
                out.push((entry, prev));
            }
            retention.validate_document_snapshot(range.start_inclusive)?;
            if rows_loaded < page_size {
                break;
            }
        }
        Ok(out)
    }

    pub async fn load_documents(&self, range: TsRange, order: Order, page_size: u32, retention: Retention) -> Res<Vec<LogEntry>> {
        Ok(self.load_revision_pairs_inner(None, false, range, order, page_size, retention).await?.into_iter().map(|(e, _)| e).collect())
    }

    pub async fn load_documents_from_table(&self, tablet: TabletId, range: TsRange, order: Order, page_size: u32, retention: Retention) -> Res<Vec<LogEntry>> {
        Ok(self.load_revision_pairs_inner(Some(tablet), false, range, order, page_size, retention).await?.into_iter().map(|(e, _)| e).collect())
    }

    /// `load_all_documents`: everything, ascending, DEFAULT_DOCUMENTS_PAGE_SIZE (100) per page.
    pub async fn load_all_documents(&self) -> Res<Vec<LogEntry>> {
        self.load_documents(TsRange::all(), Order::Asc, 100, Retention::NOOP).await
    }

    /// `load_revision_pairs`: each revision with its previous one (document None when the
    /// previous revision is gone).
    pub async fn load_revision_pairs(&self, tablet: Option<TabletId>, range: TsRange, order: Order, page_size: u32, retention: Retention) -> Res<Vec<RevisionPair>> {
        let rows = self.load_revision_pairs_inner(tablet, true, range, order, page_size, retention).await?;
        Ok(rows
            .into_iter()
            .map(|(entry, prev)| RevisionPair {
                id: entry.id,
                ts: entry.ts,
                document: entry.value,
                prev: entry.prev_ts.map(|ts| (ts, prev.flatten())),
            })
            .collect())
    }

    /// `previous_revisions`: for each (id, ts), the latest revision before ts; chunks of 8
    /// through the 8-branch CTE, the rest one by one, pipelined 16 deep on one connection.
    pub async fn previous_revisions(&self, ids: BTreeSet<(DocId, Ts)>, retention: Retention) -> Res<BTreeMap<(DocId, Ts), LogEntry>> {
        let mt = self.multitenant;
        let conn = self.pool.get(&self.schema, &self.instance).await?;
        let (chunk_stmt, single_stmt) = futures_util::future::try_join(conn.prepare_cached(&sql::prev_rev_chunk(mt)), conn.prepare_cached(&sql::prev_rev(mt))).await?;
        let ids: Vec<_> = ids.into_iter().collect();
        let mut chunks = ids.chunks_exact(CHUNK_SIZE);
        let mut queries: Vec<(bool, Vec<Param>)> = vec![];
        let mut min_ts = TS_MAX;
        for chunk in chunks.by_ref() {
            let mut params = Vec::with_capacity(25);
            for (id, ts) in chunk {
                params.extend([id_param(id.table), id_param(id.id), Param::Ts(*ts)]);
                min_ts = min_ts.min(*ts);
            }
            params.extend(self.instance_param());
            queries.push((true, params));
        }
        for (id, ts) in chunks.remainder() {
            let mut params = vec![id_param(id.table), id_param(id.id), Param::Ts(*ts)];
            params.extend(self.instance_param());
            min_ts = min_ts.min(*ts);
            queries.push((false, params));
        }
        let conn = &conn;
        let (chunk_stmt, single_stmt) = (&chunk_stmt, &single_stmt);
        let mut results = stream::iter(queries.into_iter().map(|(chunked, params)| async move {
            conn.query_raw(if chunked { chunk_stmt } else { single_stmt }, params).await
        }))
        .buffered(PIPELINE_QUERIES);
        let mut out = BTreeMap::new();
        while let Some(rows) = results.try_next().await? {
            for row in rows {
                let query_ts: i64 = row.get(6);
                let entry = self.row_to_document(&row)?;
                min_ts = min_ts.min(query_ts);
                ensure!(out.insert((entry.id, query_ts), entry).is_none(), "duplicate previous revision");
            }
        }
        retention.validate_document_snapshot(min_ts)?;
        Ok(out)
    }

    /// `previous_revisions_of_documents`: exact (id, prev_ts) lookups, keyed by the query.
    pub async fn previous_revisions_of_documents(&self, queries: BTreeSet<PrevTsQuery>, retention: Retention) -> Res<BTreeMap<PrevTsQuery, LogEntry>> {
        let mt = self.multitenant;
        let conn = self.pool.get(&self.schema, &self.instance).await?;
        let (chunk_stmt, single_stmt) = futures_util::future::try_join(conn.prepare_cached(&sql::exact_rev_chunk(mt)), conn.prepare_cached(&sql::exact_rev(mt))).await?;
        let ids: Vec<_> = queries.iter().copied().collect();
        let mut chunks = ids.chunks_exact(CHUNK_SIZE);
        let mut batches: Vec<(bool, Vec<Param>)> = vec![];
        for chunk in chunks.by_ref() {
            let mut params = Vec::with_capacity(33);
            for q in chunk {
                params.extend([id_param(q.id.table), id_param(q.id.id), Param::Ts(q.prev_ts), Param::Ts(q.ts)]);
            }
            params.extend(self.instance_param());
            batches.push((true, params));
        }
        for q in chunks.remainder() {
            let mut params = vec![id_param(q.id.table), id_param(q.id.id), Param::Ts(q.prev_ts), Param::Ts(q.ts)];
            params.extend(self.instance_param());
            batches.push((false, params));
        }
        let conn = &conn;
        let (chunk_stmt, single_stmt) = (&chunk_stmt, &single_stmt);
        let mut results = stream::iter(batches.into_iter().map(|(chunked, params)| async move {
            conn.query_raw(if chunked { chunk_stmt } else { single_stmt }, params).await
        }))
        .buffered(PIPELINE_QUERIES);
        let mut out = BTreeMap::new();
        while let Some(rows) = results.try_next().await? {
            for row in rows {
                let ts: i64 = row.get(6);
                let entry = self.row_to_document(&row)?;
                let key = PrevTsQuery { id: entry.id, ts, prev_ts: entry.ts };
                ensure!(out.insert(key, entry).is_none(), "duplicate exact revision");
            }
        }
        if let Some(min_ts) = queries.iter().map(|q| q.ts).min() {
            retention.validate_document_snapshot(min_ts)?;
        }
        Ok(out)
    }

    /// `get_persistence_global`: the stored JSON bytes.
    pub async fn get_persistence_global(&self, key: &str) -> Res<Option<Vec<u8>>> {
        let conn = self.pool.get(&self.schema, &self.instance).await?;
        let mut params = vec![Param::Text(key.to_string())];
        params.extend(self.instance_param());
        let stmt = conn.prepare_cached(&sql::get_persistence_global(self.multitenant)).await?;
        Ok(conn.query_raw(&stmt, &params).await?.first().map(|r| r.get(0)))
    }

    /// `index_scan`: pages of the DISTINCT ON query, bounds moved past each page, long-prefix
    /// keys buffered and sorted by their full key, deleted entries skipped, dangling references
    /// and references to deleted documents are errors.
    pub async fn index_scan(&self, index_id: InternalId, read_ts: Ts, interval: &Interval, order: Order, size_hint: usize, retention: Retention) -> Res<Vec<IndexHit>> {
        let batch_size = size_hint.clamp(1, 5000);
        let (mut lower, mut upper) = to_sql_bounds(interval);
        let mut buffer: Vec<IndexHit> = vec![];
        let mut out = vec![];
        // Yields the buffered long-prefix keys in full-key order, inside the interval only.
        let drain = |buffer: &mut Vec<IndexHit>, batch: &mut Vec<IndexHit>| {
            buffer.sort_by(|a, b| a.key.cmp(&b.key));
            let drained: Vec<IndexHit> = buffer.drain(..).collect();
            let drained: Vec<IndexHit> = if order == Order::Asc { drained } else { drained.into_iter().rev().collect() };
            batch.extend(drained.into_iter().filter(|hit| interval.contains(&hit.key)));
        };
        loop {
            let conn = self.pool.get(&self.schema, &self.instance).await?;
            let (query, params) = self.index_query(index_id, read_ts, lower.clone(), upper.clone(), order, batch_size);
            let stmt = conn.prepare_cached(&query).await?;
            let rows = conn.query_raw(&stmt, &params).await?;
            drop(conn);
            let mut batch = vec![];
            for row in &rows {
                let entry = parse_index_row(row)?;
                if let Some(first) = buffer.first() {
                    if first.key[..MAX_INDEX_KEY_PREFIX_LEN] != entry.key_prefix[..] {
                        drain(&mut buffer, &mut batch);
                    }
                }
                let bound = SqlBound::Excluded(entry.key_prefix.clone(), entry.key_sha256.clone());
                match order {
                    Order::Asc => lower = bound,
                    Order::Desc => upper = bound,
                }
                if entry.deleted {
                    continue;
                }
                let mut key = entry.key_prefix;
                if let Some(suffix) = entry.key_suffix {
                    key.extend(suffix);
                }
                let table: Option<Vec<u8>> = row.get(7);
                let Some(table) = table else {
                    return Err(format!("Dangling index reference for {:?} {}", hex(&key), entry.ts).into());
                };
                let document_id: Option<Vec<u8>> = row.get(6);
                let id = DocId { table: InternalId::from_slice(&table)?, id: InternalId::from_slice(&document_id.ok_or("index entry without document_id")?)? };
                let hit = IndexHit { key, ts: entry.ts, value: Doc { id, json: row.get(8) }, prev_ts: row.get(9) };
                if hit.key.len() < MAX_INDEX_KEY_PREFIX_LEN {
                    ensure!(buffer.is_empty(), "buffered long keys before a short one");
                    if interval.contains(&hit.key) {
                        batch.push(hit);
                    }
                } else {
                    buffer.push(hit);
                }
            }
            retention.validate_snapshot(read_ts)?;
            for hit in batch {
                ensure!(hit.value.json != b"null", "Index reference to deleted document {:?} {:?}", hex(&hit.key), hit.ts);
                out.push(hit);
            }
            if rows.len() < batch_size {
                break;
            }
        }
        let mut rest = vec![];
        drain(&mut buffer, &mut rest);
        for hit in rest {
            ensure!(hit.value.json != b"null", "Index reference to deleted document {:?} {:?}", hex(&hit.key), hit.ts);
            out.push(hit);
        }
        Ok(out)
    }

    fn index_query(&self, index_id: InternalId, read_ts: Ts, lower: SqlBound, upper: SqlBound, order: Order, batch_size: usize) -> (String, Vec<Param>) {
        let mut params = vec![id_param(index_id), Param::Ts(read_ts)];
        let mut map_bound = |b: SqlBound| match b {
            SqlBound::Unbounded => BoundType::Unbounded,
            SqlBound::Excluded(prefix, sha) => {
                params.push(Param::Bytes(prefix));
                params.push(Param::Bytes(sha));
                BoundType::Excluded
            },
            SqlBound::Included(prefix, sha) => {
                params.push(Param::Bytes(prefix));
                params.push(Param::Bytes(sha));
                BoundType::Included
            },
        };
        let lt = map_bound(lower);
        let ut = map_bound(upper);
        params.push(Param::Limit(batch_size as i64));
        params.extend(self.instance_param());
        (sql::index_query(lt, ut, order == Order::Asc, self.multitenant), params)
    }

    /// `table_size_stats`.
    pub async fn table_size_stats(&self) -> Res<Vec<(String, i64, i64, i64)>> {
        let conn = self.pool.get(&self.schema, &self.instance).await?;
        let mut stats = vec![];
        for table in sql::TABLES {
            let full_name = format!("{}.{table}", self.schema);
            let row = conn.query_opt(sql::TABLE_SIZE_QUERY, &[&full_name]).await?.ok_or("nothing returned from table size query?")?;
            stats.push((table.to_string(), row.try_get::<_, i64>(0)?, row.try_get::<_, i64>(1)?, row.try_get::<_, i64>(2)?));
        }
        Ok(stats)
    }

    pub fn shutdown(&self) {
        self.pool.shutdown();
    }
}

/// `DocumentPrevTsQuery`.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
pub struct PrevTsQuery {
    pub id: DocId,
    pub ts: Ts,
    pub prev_ts: Ts,
}

/// `RevisionPair`: a revision and, when it has a prev_ts, the previous revision's document
/// (None when that revision is no longer stored).
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct RevisionPair {
    pub id: DocId,
    pub ts: Ts,
    pub document: Option<Doc>,
    pub prev: Option<(Ts, Option<Doc>)>,
}

/// `persistence_reader_stream_revision_pairs`: the pairs computed from the document log and
/// `previous_revisions_of_documents`, which the suite compares `load_revision_pairs` with.
pub async fn stream_revision_pairs(p: &Persistence, docs: &[LogEntry], retention: Retention) -> Res<Vec<RevisionPair>> {
    let queries = docs.iter().filter_map(|e| e.prev_ts.map(|prev_ts| PrevTsQuery { id: e.id, ts: e.ts, prev_ts })).collect();
    let mut prev_revs = p.previous_revisions_of_documents(queries, retention).await?;
    let mut out = vec![];
    for e in docs {
        let prev = match e.prev_ts {
            None => None,
            Some(prev_ts) => {
                let document = match prev_revs.remove(&PrevTsQuery { id: e.id, ts: e.ts, prev_ts }) {
                    None => None,
                    Some(entry) => Some(entry.value.ok_or_else(|| format!("prev_ts {prev_ts} of {:?}@{} points to a deleted value?", e.id, e.ts))?),
                };
                Some((prev_ts, document))
            },
        };
        out.push(RevisionPair { id: e.id, ts: e.ts, document: e.value.clone(), prev });
    }
    Ok(out)
}

fn parse_index_row(row: &Row) -> Res<IndexEntry> {
    let index_id = InternalId::from_slice(&row.get::<_, Vec<u8>>(0)).map_err(|_| "index_id wrong size")?;
    Ok(IndexEntry {
        index_id,
        key_prefix: row.get(1),
        key_sha256: row.get(2),
        key_suffix: row.get(3),
        ts: row.get(4),
        deleted: row.get(5),
    })
}

fn index_cursor_params(cursor: Option<&IndexEntry>) -> Vec<Param> {
    match cursor {
        Some(c) => vec![id_param(c.index_id), Param::Bytes(c.key_prefix.clone()), Param::Bytes(c.key_sha256.clone()), Param::Ts(c.ts)],
        None => vec![Param::Bytes(InternalId::BEFORE_ALL_BYTES.to_vec()), Param::Bytes(vec![]), Param::Bytes(vec![]), Param::Ts(0)],
    }
}

fn document_cursor_params((ts, id): &(Ts, DocId)) -> Vec<Param> {
    vec![id_param(id.table), id_param(id.id), Param::Ts(*ts)]
}

/// One side of a key range in SQL terms: (key_prefix, key_sha256).
#[derive(Clone, Debug)]
pub enum SqlBound {
    Unbounded,
    Included(Vec<u8>, Vec<u8>),
    Excluded(Vec<u8>, Vec<u8>),
}

/// `to_sql_bounds`: may include extra keys with long prefixes, filtered afterwards.
fn to_sql_bounds(interval: &Interval) -> (SqlBound, SqlBound) {
    let min_sha = vec![0u8; 32];
    let max_sha = vec![255u8; 32];
    let lower = SqlBound::Included(split_key(&interval.start).0, min_sha.clone());
    let upper = match &interval.end {
        None => SqlBound::Unbounded,
        Some(key) if key.len() < MAX_INDEX_KEY_PREFIX_LEN => SqlBound::Excluded(split_key(key).0, min_sha),
        Some(key) => SqlBound::Included(split_key(key).0, max_sha),
    };
    (lower, upper)
}
