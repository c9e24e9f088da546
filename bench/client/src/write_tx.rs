//! Workload 4: Convex's write, as Lease::transact runs it: START TRANSACTION; the advisory
//! lease check pipelined with the documents and indexes UNNEST inserts (1024 rows per
//! statement, the two streams concurrent); then the lease check `FOR SHARE`; then COMMIT.
//! Without `transaction` the same inserts run as autocommit statements (no lease checks).

use futures_util::future::try_join3;
use tokio_postgres::types::ToSql;

use crate::conn::{Conn, Fail};
use crate::data::{doc_batch, index_batch, DataSet, BATCH, LEASE_TS, WRITE_BASE};
use crate::sql;
use crate::Ctx;

/// `docs` new documents of `doc_bytes` each (and one index row each), at a fresh commit ts.
pub async fn write(c: &Conn, ctx: &Ctx, docs: usize, doc_bytes: usize, transaction: bool) -> Result<usize, Fail> {
    let seq = ctx.next_write.get();
    ctx.next_write.set(seq + 1);
    let ts = DataSet::batch_ts(0) + ((WRITE_BASE + seq) as i64) * 1_000_000;
    let first = WRITE_BASE + seq * 65_536;
    let ns: Vec<u64> = (first..first + docs as u64).collect();

    let insert_documents = c.stmt(sql::INSERT_DOCUMENT).await?;
    let insert_indexes = c.stmt(sql::INSERT_INDEX).await?;
    let advisory = c.stmt(sql::ADVISORY_LEASE_CHECK).await?;
    let precond = c.stmt(sql::LEASE_PRECOND).await?;
    if transaction {
        c.client.batch_execute("START TRANSACTION").await?;
    }
    let body = async {
        let advisory_check = async {
            if !transaction {
                return Ok(());
            }
            let rows = c.client.query(&advisory, &[&LEASE_TS]).await?;
            if rows.len() != 1 { Err(Fail("lease lost (advisory check found no row)".into())) } else { Ok(()) }
        };
        let documents = async {
            let mut written = 0;
            for chunk in ns.chunks(BATCH) {
                let b = doc_batch(chunk, ts, None, 1, doc_bytes);
                let params: [&(dyn ToSql + Sync); 6] = [&b.id, &b.ts, &b.table_id, &b.json_value, &b.deleted, &b.prev_ts];
                written += c.client.execute(&insert_documents, &params).await? as usize;
            }
            Ok::<usize, Fail>(written)
        };
        let indexes = async {
            let mut written = 0;
            for chunk in ns.chunks(BATCH) {
                let b = index_batch(chunk, ts);
                let params: [&(dyn ToSql + Sync); 8] =
                    [&b.index_id, &b.ts, &b.key_prefix, &b.key_suffix, &b.key_sha256, &b.deleted, &b.table_id, &b.document_id];
                written += c.client.execute(&insert_indexes, &params).await? as usize;
            }
            Ok::<usize, Fail>(written)
        };
        let ((), d, i) = try_join3(advisory_check, documents, indexes).await?;
        if transaction {
            let rows = c.client.query(&precond, &[&LEASE_TS]).await?;
            if rows.len() != 1 {
                return Err(Fail("lease lost (FOR SHARE check found no row)".into()));
            }
            c.client.batch_execute("COMMIT").await?;
        }
        Ok(d + i)
    };
    let result = body.await;
    if result.is_err() && transaction {
        // Leave the connection usable, as the driver's Transaction does when dropped.
        let _ = c.client.batch_execute("ROLLBACK").await;
    }
    result
}
