//! Workload 3: load_documents pages by (ts, table_id, id), ascending (optionally with each
//! document's previous revision joined, as load_revision_pairs asks) and descending, from a
//! random loaded document on.

use crate::conn::{Conn, Fail};
use crate::data::{doc_id, table_id, DataSet, Rng, BATCH};
use crate::point_reads::read_document;
use crate::sql;
use crate::Ctx;

/// A random loaded (ts, table_id, id) with at least `margin` batches after it (`asc`) or before it.
fn cursor(data: &DataSet, rng: &mut Rng, margin: usize, asc: bool) -> (i64, Vec<u8>, Vec<u8>) {
    let spread = rng.below((data.batches - margin) as u64) as usize;
    let k = if asc { spread } else { margin + spread };
    let (ns, _, _) = data.batch(k);
    let n = ns[rng.below(BATCH as u64) as usize];
    (DataSet::batch_ts(k), table_id(n), doc_id(n))
}

pub async fn page_asc(c: &Conn, ctx: &Ctx, rng: &mut Rng, limit: i64, prev_rev: bool) -> Result<usize, Fail> {
    let st = c.stmt(&sql::load_docs_asc(prev_rev)).await?;
    let margin = (limit as usize).div_ceil(BATCH) + 1;
    let (ts, table, id) = cursor(&ctx.data, rng, margin, true);
    let max_ts = ctx.data.read_ts();
    let rows = c.client.query(&st, &[&ts, &table, &id, &max_ts, &limit]).await?;
    for row in &rows {
        read_document(row)?;
        if prev_rev {
            let _: Option<Vec<u8>> = row.try_get(6)?;
        }
    }
    Ok(rows.len())
}

pub async fn page_desc(c: &Conn, ctx: &Ctx, rng: &mut Rng, limit: i64) -> Result<usize, Fail> {
    let st = c.stmt(&sql::load_docs_desc()).await?;
    let margin = (limit as usize).div_ceil(BATCH) + 1;
    let (ts, table, id) = cursor(&ctx.data, rng, margin, false);
    let min_ts = DataSet::batch_ts(0);
    let rows = c.client.query(&st, &[&min_ts, &ts, &table, &id, &limit]).await?;
    for row in &rows {
        read_document(row)?;
    }
    Ok(rows.len())
}
