//! Workload 7's client side: hold many idle connections open while the runner reads the
//! servers' memory, and one very large write transaction (Convex's 56 000-write limit).

use std::time::Instant;

use serde_json::json;
use tokio::io::{AsyncBufReadExt, BufReader};

use crate::conn::{Conn, Fail};
use crate::{run_op, Op, Target};
use crate::data::Rng;

/// For each endpoint in turn: open `n` connections, run one point read on each (so the
/// server has a session behind it), report, and wait for a line on stdin before closing.
/// PostgreSQL gets `postgres_n` (its default max_connections is 100).
pub async fn hold(urls: &[(String, String)], targets: &[Target], n: usize, postgres_n: usize) -> Result<(), Fail> {
    let mut stdin = BufReader::new(tokio::io::stdin()).lines();
    for ((name, url), target) in urls.iter().zip(targets) {
        let n = if name == "postgres" { postgres_n } else { n };
        let mut conns = Vec::with_capacity(n);
        let mut error = None;
        for _ in 0..n {
            match Conn::open(url).await {
                Ok(c) => conns.push(c),
                Err(Fail(e)) => {
                    error = Some(e);
                    break;
                }
            }
        }
        for c in &conns {
            if let Err(Fail(e)) = run_op(Op::Global, c, &target.ctx, &mut Rng::new(3)).await {
                error.get_or_insert(e);
            }
        }
        println!("{}", json!({ "event": "holding", "endpoint": name, "connections": conns.len(), "error": error }));
        let _ = stdin.next_line().await;
        drop(conns);
        // Give the server a moment to see the sockets close before the next endpoint.
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    }
    Ok(())
}

/// One transaction of `docs` documents of `doc_bytes` (plus their index rows) per endpoint.
pub async fn big(targets: &[Target], docs: usize, doc_bytes: usize) {
    for target in targets {
        println!("{}", json!({ "event": "begin", "endpoint": target.name }));
        let started = Instant::now();
        let result = run_op(Op::Write { docs, transaction: true }, &target.conn, &target.ctx, &mut Rng::new(5)).await;
        let ms = started.elapsed().as_secs_f64() * 1000.0;
        let (rows, error) = match result {
            Ok(n) => (n, None),
            Err(Fail(e)) => (0, Some(e)),
        };
        println!(
            "{}",
            json!({ "event": "big", "endpoint": target.name, "ms": ms, "rows": rows, "docs": docs, "doc_bytes": doc_bytes, "error": error })
        );
    }
}
