//! Workload 5: many connections at once, each looping over a read-heavy mix of the other
//! workloads (plus the small write transaction when every endpoint can run it) for a fixed
//! time; throughput and latency per endpoint, rounds interleaved.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use futures_util::future::join_all;
use serde_json::json;

use crate::conn::{Conn, Fail};
use crate::data::Rng;
use crate::{run_op, Ctx, Op, Target};

const READS: &[(Op, u64)] = &[
    (Op::ExactRevChunk, 20),
    (Op::PrevRevChunk, 15),
    (Op::ExactRev, 15),
    (Op::Global, 10),
    (Op::IndexPage(100), 20),
    (Op::DocsAsc(100), 10),
];
const WRITE: (Op, u64) = (Op::Write { docs: 3, transaction: true }, 10);

fn pick(mix: &[(Op, u64)], rng: &mut Rng) -> Op {
    let total: u64 = mix.iter().map(|(_, w)| w).sum();
    let mut x = rng.below(total);
    for (op, w) in mix {
        if x < *w {
            return *op;
        }
        x -= w;
    }
    mix[0].0
}

#[derive(Default)]
struct Tally {
    by_op: BTreeMap<String, Vec<f64>>,
    errors: usize,
    first_error: Option<String>,
}

async fn worker(conn: &Conn, ctx: &Ctx, mix: &[(Op, u64)], seed: u64, deadline: Instant) -> Tally {
    let mut rng = Rng::new(seed);
    let mut tally = Tally::default();
    while Instant::now() < deadline {
        let op = pick(mix, &mut rng);
        let started = Instant::now();
        match run_op(op, conn, ctx, &mut rng).await {
            Ok(_) => tally.by_op.entry(op.name()).or_default().push(started.elapsed().as_secs_f64() * 1e6),
            Err(Fail(e)) => {
                tally.errors += 1;
                tally.first_error.get_or_insert(e);
            }
        }
    }
    tally
}

pub async fn mix(targets: &[Target], urls: &[String], connections: usize, seconds: f64, rounds: usize) -> Result<(), Fail> {
    let mut pools: Vec<Vec<Conn>> = Vec::new();
    for url in urls {
        let mut pool = Vec::with_capacity(connections);
        for _ in 0..connections {
            pool.push(Conn::open(url).await?);
        }
        pools.push(pool);
    }
    // Writes join the mix only where every endpoint commits them; otherwise say why not.
    let mut write_error = None;
    for (t, target) in targets.iter().enumerate() {
        if let Err(Fail(e)) = run_op(WRITE.0, &pools[t][0], &target.ctx, &mut Rng::new(1)).await {
            write_error.get_or_insert(format!("{}: {e}", target.name));
        }
    }
    let mut mix: Vec<(Op, u64)> = READS.to_vec();
    if write_error.is_none() {
        mix.push(WRITE);
    }
    let mut tallies: Vec<Vec<Tally>> = targets.iter().map(|_| Vec::new()).collect();
    let mut counts: Vec<Vec<f64>> = targets.iter().map(|_| Vec::new()).collect();
    for round in 0..rounds {
        for (t, target) in targets.iter().enumerate() {
            let deadline = Instant::now() + Duration::from_secs_f64(seconds);
            let started = Instant::now();
            let results = join_all(
                pools[t].iter().enumerate().map(|(w, conn)| worker(conn, &target.ctx, &mix, (round * 1000 + w) as u64, deadline)),
            )
            .await;
            let elapsed = started.elapsed().as_secs_f64();
            let done: usize = results.iter().map(|r| r.by_op.values().map(Vec::len).sum::<usize>()).sum();
            counts[t].push(done as f64 / elapsed);
            tallies[t].extend(results);
        }
        eprintln!("  mix: round {} done", round + 1);
    }
    for (t, target) in targets.iter().enumerate() {
        let mut by_op: BTreeMap<String, Vec<f64>> = BTreeMap::new();
        let mut errors = 0;
        let mut first_error = None;
        for tally in &tallies[t] {
            for (op, v) in &tally.by_op {
                by_op.entry(op.clone()).or_default().extend(v);
            }
            errors += tally.errors;
            if first_error.is_none() {
                first_error = tally.first_error.clone();
            }
        }
        println!(
            "{}",
            json!({
                "event": "mix",
                "endpoint": target.name,
                "connections": connections,
                "ops_per_s_by_round": counts[t],
                "by_op_us": by_op,
                "errors": errors,
                "first_error": first_error,
                "writes_excluded": write_error,
            })
        );
    }
    Ok(())
}
