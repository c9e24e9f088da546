//! Interleaved rounds: every endpoint runs the same operations with the same random choices,
//! round by round (A, B, A, B…), so drift on a shared machine lands on both alike.

use std::time::Instant;

use serde_json::json;

use crate::conn::Fail;
use crate::data::Rng;
use crate::{run_op, Op, Target};

pub async fn interleave(op: Op, targets: &[Target], rounds: usize, iters: usize, warmup: usize) {
    let mut failed: Vec<Option<String>> = vec![None; targets.len()];
    let mut samples: Vec<Vec<Vec<f64>>> = vec![Vec::new(); targets.len()];
    let mut rows: Vec<usize> = vec![0; targets.len()];
    let mut ops: Vec<usize> = vec![0; targets.len()];
    let mut rngs: Vec<Rng> = targets.iter().map(|_| Rng::new(7)).collect();
    for (t, target) in targets.iter().enumerate() {
        for _ in 0..warmup {
            if let Err(Fail(e)) = run_op(op, &target.conn, &target.ctx, &mut rngs[t]).await {
                failed[t] = Some(e);
                break;
            }
        }
    }
    for _ in 0..rounds {
        for (t, target) in targets.iter().enumerate() {
            if failed[t].is_some() {
                continue;
            }
            let mut round = Vec::with_capacity(iters);
            for _ in 0..iters {
                let started = Instant::now();
                match run_op(op, &target.conn, &target.ctx, &mut rngs[t]).await {
                    Ok(n) => {
                        round.push(started.elapsed().as_secs_f64() * 1e6);
                        rows[t] += n;
                        ops[t] += 1;
                    }
                    Err(Fail(e)) => {
                        failed[t] = Some(e);
                        break;
                    }
                }
            }
            samples[t].push(round);
        }
        eprintln!("  {}: round done", op.name());
    }
    for (t, target) in targets.iter().enumerate() {
        println!(
            "{}",
            json!({
                "event": "samples",
                "workload": op.name(),
                "endpoint": target.name,
                "rounds_us": samples[t],
                "rows_per_op": if ops[t] > 0 { rows[t] as f64 / ops[t] as f64 } else { 0.0 },
                "error": failed[t],
            })
        );
    }
}
