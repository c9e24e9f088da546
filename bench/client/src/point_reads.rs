//! Workload 1, point reads: a persistence global, one revision by exact ts, the revision
//! before a ts, and the 8-way chunks of both (Convex batches revision lookups by 8).

use tokio_postgres::types::ToSql;
use tokio_postgres::Row;

use crate::conn::{Conn, Fail};
use crate::data::{doc_id, table_id, Rng, GLOBAL_KEYS};
use crate::sql;
use crate::Ctx;

/// Reads a documents row as Convex does (typed; the driver checks each column's OID).
pub fn read_document(row: &Row) -> Result<(), Fail> {
    let _: Vec<u8> = row.try_get(0)?;
    let _: i64 = row.try_get(1)?;
    let _: Vec<u8> = row.try_get(2)?;
    let _: Vec<u8> = row.try_get(3)?;
    let _: Option<bool> = row.try_get(4)?;
    let _: Option<i64> = row.try_get(5)?;
    Ok(())
}

fn read_revisions(rows: &[Row]) -> Result<usize, Fail> {
    for row in rows {
        read_document(row)?;
        let _: i64 = row.try_get(6)?;
    }
    Ok(rows.len())
}

/// The fixed cost of one round trip: a statement with no table behind it.
pub async fn select_one(c: &Conn, _: &Ctx, _: &mut Rng) -> Result<usize, Fail> {
    let st = c.stmt(sql::SELECT_ONE).await?;
    let rows = c.client.query(&st, &[]).await?;
    for row in &rows {
        let _: i32 = row.try_get(0)?;
    }
    Ok(rows.len())
}

pub async fn persistence_global(c: &Conn, _: &Ctx, rng: &mut Rng) -> Result<usize, Fail> {
    let st = c.stmt(sql::GET_PERSISTENCE_GLOBAL).await?;
    let key = GLOBAL_KEYS[rng.below(GLOBAL_KEYS.len() as u64) as usize];
    let rows = c.client.query(&st, &[&key]).await?;
    for row in &rows {
        let _: Vec<u8> = row.try_get(0)?;
    }
    Ok(rows.len())
}

pub async fn exact_rev(c: &Conn, ctx: &Ctx, rng: &mut Rng) -> Result<usize, Fail> {
    let st = c.stmt(&sql::exact_rev()).await?;
    let n = rng.below(ctx.data.ids());
    let (ts, _) = ctx.data.revision_ts(n);
    let query_ts = ctx.data.read_ts();
    let rows = c.client.query(&st, &[&table_id(n), &doc_id(n), &ts, &query_ts]).await?;
    read_revisions(&rows)
}

pub async fn prev_rev(c: &Conn, ctx: &Ctx, rng: &mut Rng) -> Result<usize, Fail> {
    let st = c.stmt(&sql::prev_rev()).await?;
    let n = rng.below(ctx.data.ids());
    let (_, ts) = ctx.data.revision_ts(n);
    let rows = c.client.query(&st, &[&table_id(n), &doc_id(n), &ts]).await?;
    read_revisions(&rows)
}

/// Eight lookups in one statement; `exact` picks exact_rev_chunk, else prev_rev_chunk.
async fn chunk(c: &Conn, ctx: &Ctx, rng: &mut Rng, exact: bool) -> Result<usize, Fail> {
    let st = c.stmt(&if exact { sql::exact_rev_chunk() } else { sql::prev_rev_chunk() }).await?;
    let query_ts = ctx.data.read_ts();
    let mut values: Vec<(Vec<u8>, Vec<u8>, i64)> = Vec::with_capacity(8);
    for _ in 0..8 {
        let n = rng.below(ctx.data.ids());
        let (first, second) = ctx.data.revision_ts(n);
        values.push((table_id(n), doc_id(n), if exact { first } else { second }));
    }
    let mut params: Vec<&(dyn ToSql + Sync)> = Vec::with_capacity(32);
    for (t, id, ts) in &values {
        params.push(t);
        params.push(id);
        params.push(ts);
        if exact {
            params.push(&query_ts);
        }
    }
    let rows = c.client.query(&st, &params).await?;
    read_revisions(&rows)
}

pub async fn prev_rev_chunk(c: &Conn, ctx: &Ctx, rng: &mut Rng) -> Result<usize, Fail> {
    chunk(c, ctx, rng, false).await
}

pub async fn exact_rev_chunk(c: &Conn, ctx: &Ctx, rng: &mut Rng) -> Result<usize, Fail> {
    chunk(c, ctx, rng, true).await
}
