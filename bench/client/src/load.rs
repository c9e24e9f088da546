//! Creates Convex's schema (its own DO-block initialisation), acquires the lease, writes the
//! persistence globals, then loads the data set in Convex's UNNEST batches: each batch's
//! documents and index rows as two pipelined autocommit statements.

use std::time::Instant;

use futures_util::future::try_join;
use tokio_postgres::types::ToSql;

use crate::conn::{Conn, Fail};
use crate::data::{doc_batch, index_batch, DataSet, GLOBAL_KEYS, LEASE_TS};
use crate::sql::{self, in_schema};

pub async fn init(c: &Conn) -> Result<(), Fail> {
    for statement in sql::INIT {
        c.client.batch_execute(&in_schema(statement)).await?;
    }
    let acquire = c.stmt(sql::LEASE_ACQUIRE).await?;
    c.client.execute(&acquire, &[&LEASE_TS]).await?;
    let write_global = c.stmt(sql::WRITE_PERSISTENCE_GLOBAL).await?;
    for key in GLOBAL_KEYS {
        let value = format!("{{\"key\":\"{key}\",\"value\":{}}}", DataSet::batch_ts(0)).into_bytes();
        c.client.execute(&write_global, &[key, &value]).await?;
    }
    Ok(())
}

/// Loads every batch; returns the milliseconds it took.
pub async fn load(c: &Conn, data: &DataSet) -> Result<f64, Fail> {
    let insert_documents = c.stmt(sql::INSERT_DOCUMENT).await?;
    let insert_indexes = c.stmt(sql::INSERT_INDEX).await?;
    let started = Instant::now();
    for k in 0..data.batches {
        let (ns, rev, prev_ts) = data.batch(k);
        let ts = DataSet::batch_ts(k);
        let d = doc_batch(&ns, ts, prev_ts, rev, data.doc_bytes);
        let i = index_batch(&ns, ts);
        let doc_params: [&(dyn ToSql + Sync); 6] = [&d.id, &d.ts, &d.table_id, &d.json_value, &d.deleted, &d.prev_ts];
        let idx_params: [&(dyn ToSql + Sync); 8] =
            [&i.index_id, &i.ts, &i.key_prefix, &i.key_suffix, &i.key_sha256, &i.deleted, &i.table_id, &i.document_id];
        try_join(c.client.execute(&insert_documents, &doc_params), c.client.execute(&insert_indexes, &idx_params)).await?;
        if k % 10 == 9 {
            eprintln!("  loaded {} of {} batches", k + 1, data.batches);
        }
    }
    Ok(started.elapsed().as_secs_f64() * 1000.0)
}
