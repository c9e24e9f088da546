//! Workload 2: a page of an index from a random key on, through Convex's DISTINCT ON query
//! joined to documents (each key has two index rows; the newest at the read ts wins).

use crate::conn::{Conn, Fail};
use crate::data::{key_prefix, key_sha, Rng, INDEX_ID};
use crate::sql;
use crate::Ctx;

/// The index's keys in index order, to start pages where a full page follows.
pub fn sorted_keys(ids: u64) -> Vec<(Vec<u8>, Vec<u8>)> {
    let mut keys: Vec<(Vec<u8>, Vec<u8>)> = (0..ids).map(|n| (key_prefix(n), key_sha(n))).collect();
    keys.sort();
    keys
}

pub async fn index_page(c: &Conn, ctx: &Ctx, rng: &mut Rng, limit: i64) -> Result<usize, Fail> {
    let st = c.stmt(sql::INDEX_PAGE_FROM).await?;
    let keys = &ctx.keys;
    let start = rng.below(keys.len() as u64 - limit as u64) as usize;
    let (prefix, sha) = &keys[start];
    let read_ts = ctx.data.read_ts();
    let index_id = INDEX_ID.to_vec();
    let rows = c.client.query(&st, &[&index_id, &read_ts, prefix, sha, &limit]).await?;
    for row in &rows {
        let _: Vec<u8> = row.try_get(0)?;
        let _: Vec<u8> = row.try_get(1)?;
        let _: Vec<u8> = row.try_get(2)?;
        let _: Option<Vec<u8>> = row.try_get(3)?;
        let _: i64 = row.try_get(4)?;
        let _: Option<bool> = row.try_get(5)?;
        let _: Option<Vec<u8>> = row.try_get(6)?;
        let _: Option<Vec<u8>> = row.try_get(7)?;
        let _: Option<Vec<u8>> = row.try_get(8)?;
        let _: Option<i64> = row.try_get(9)?;
    }
    Ok(rows.len())
}
