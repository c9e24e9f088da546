//! The benchmark client, driven by bench/run.ts: Convex's statements through Convex's driver
//! against each endpoint, timing every operation. Usage: `bench-client COMMAND CONFIG_JSON`;
//! results are JSON lines on stdout, progress goes to stderr.
//!
//! Commands: `load` (schema + data set), `run` (interleaved rounds of single operations),
//! `mix` (concurrent connections), `hold` (idle connections for memory readings), `big`
//! (one 56 000-document transaction).

mod concurrent;
mod conn;
mod data;
mod index_scan;
mod load;
mod load_documents;
mod memory;
mod point_reads;
mod rounds;
mod sql;
mod write_tx;

use std::cell::Cell;

use serde_json::{json, Value};

use conn::{Conn, Fail};
use data::{DataSet, Rng};

/// What every operation may need: the data set's shape, the index's keys in order, and a
/// counter giving each write fresh ids and a fresh commit ts.
pub struct Ctx {
    pub data: DataSet,
    pub keys: Vec<(Vec<u8>, Vec<u8>)>,
    pub next_write: Cell<u64>,
    pub write_bytes: usize,
}

pub struct Target {
    pub name: String,
    pub conn: Conn,
    pub ctx: Ctx,
}

#[derive(Clone, Copy)]
pub enum Op {
    SelectOne,
    Global,
    ExactRev,
    PrevRev,
    PrevRevChunk,
    ExactRevChunk,
    IndexPage(i64),
    DocsAsc(i64),
    DocsAscPrevRev(i64),
    DocsDesc(i64),
    Write { docs: usize, transaction: bool },
}

impl Op {
    pub fn name(&self) -> String {
        match self {
            Op::SelectOne => "SELECT 1 (round trip)".into(),
            Op::Global => "get_persistence_global".into(),
            Op::ExactRev => "exact_rev".into(),
            Op::PrevRev => "prev_rev".into(),
            Op::PrevRevChunk => "prev_rev_chunk (8)".into(),
            Op::ExactRevChunk => "exact_rev_chunk (8)".into(),
            Op::IndexPage(n) => format!("index page {n}"),
            Op::DocsAsc(n) => format!("load_documents asc {n}"),
            Op::DocsAscPrevRev(n) => format!("load_documents asc {n} + prev rev"),
            Op::DocsDesc(n) => format!("load_documents desc {n}"),
            Op::Write { docs, transaction: true } => format!("write transaction {docs} docs"),
            Op::Write { docs, transaction: false } => format!("write {docs} docs, autocommit"),
        }
    }

    fn parse(s: &str) -> Option<Op> {
        let (kind, n) = s.split_once(':').map(|(k, n)| (k, n.parse::<i64>().ok())).unwrap_or((s, None));
        Some(match (kind, n) {
            ("select_one", None) => Op::SelectOne,
            ("global", None) => Op::Global,
            ("exact_rev", None) => Op::ExactRev,
            ("prev_rev", None) => Op::PrevRev,
            ("prev_rev_chunk", None) => Op::PrevRevChunk,
            ("exact_rev_chunk", None) => Op::ExactRevChunk,
            ("index_page", Some(n)) => Op::IndexPage(n),
            ("docs_asc", Some(n)) => Op::DocsAsc(n),
            ("docs_asc_prev", Some(n)) => Op::DocsAscPrevRev(n),
            ("docs_desc", Some(n)) => Op::DocsDesc(n),
            ("write_tx", Some(n)) => Op::Write { docs: n as usize, transaction: true },
            ("write_autocommit", Some(n)) => Op::Write { docs: n as usize, transaction: false },
            _ => return None,
        })
    }
}

/// One operation; returns the rows it read or wrote.
pub async fn run_op(op: Op, c: &Conn, ctx: &Ctx, rng: &mut Rng) -> Result<usize, Fail> {
    match op {
        Op::SelectOne => point_reads::select_one(c, ctx, rng).await,
        Op::Global => point_reads::persistence_global(c, ctx, rng).await,
        Op::ExactRev => point_reads::exact_rev(c, ctx, rng).await,
        Op::PrevRev => point_reads::prev_rev(c, ctx, rng).await,
        Op::PrevRevChunk => point_reads::prev_rev_chunk(c, ctx, rng).await,
        Op::ExactRevChunk => point_reads::exact_rev_chunk(c, ctx, rng).await,
        Op::IndexPage(n) => index_scan::index_page(c, ctx, rng, n).await,
        Op::DocsAsc(n) => load_documents::page_asc(c, ctx, rng, n, false).await,
        Op::DocsAscPrevRev(n) => load_documents::page_asc(c, ctx, rng, n, true).await,
        Op::DocsDesc(n) => load_documents::page_desc(c, ctx, rng, n).await,
        Op::Write { docs, transaction } => write_tx::write(c, ctx, docs, ctx.write_bytes, transaction).await,
    }
}

fn num(config: &Value, key: &str, default: u64) -> u64 {
    config.get(key).and_then(Value::as_u64).unwrap_or(default)
}

async fn targets(config: &Value, endpoints: &[(String, String)]) -> Result<Vec<Target>, Fail> {
    let data = DataSet { batches: num(config, "batches", 100) as usize, doc_bytes: num(config, "doc_bytes", 300) as usize };
    let keys = if config.get("needs_keys").and_then(Value::as_bool).unwrap_or(false) { index_scan::sorted_keys(data.ids()) } else { Vec::new() };
    let mut out = Vec::new();
    for (name, url) in endpoints {
        let conn = Conn::open(url).await.map_err(|Fail(e)| Fail(format!("{name}: cannot connect: {e}")))?;
        out.push(Target {
            name: name.clone(),
            conn,
            ctx: Ctx {
                data,
                keys: keys.clone(),
                next_write: Cell::new(num(config, "write_seq", 0)),
                write_bytes: num(config, "write_bytes", data.doc_bytes as u64) as usize,
            },
        });
    }
    Ok(out)
}

async fn main_inner() -> Result<(), Fail> {
    let args: Vec<String> = std::env::args().collect();
    let (command, config) = match args.as_slice() {
        [_, c, j] => (c.as_str(), serde_json::from_str::<Value>(j).map_err(|e| Fail(e.to_string()))?),
        _ => return Err(Fail("usage: bench-client load|run|mix|hold|big CONFIG_JSON".into())),
    };
    let endpoints: Vec<(String, String)> = config["endpoints"]
        .as_array()
        .ok_or(Fail("config.endpoints: [{name, url}] expected".into()))?
        .iter()
        .map(|e| (e["name"].as_str().unwrap_or("?").to_string(), e["url"].as_str().unwrap_or("").to_string()))
        .collect();
    let ts = targets(&config, &endpoints).await?;
    match command {
        "load" => {
            for t in &ts {
                eprintln!("  loading {}", t.name);
                let result = match load::init(&t.conn).await {
                    Ok(()) => load::load(&t.conn, &t.ctx.data).await,
                    Err(e) => Err(e),
                };
                let (ms, error) = match result {
                    Ok(ms) => (Some(ms), None),
                    Err(Fail(e)) => (None, Some(e)),
                };
                let rows = t.ctx.data.rows();
                println!("{}", json!({ "event": "load", "endpoint": t.name, "ms": ms, "documents": rows, "index_rows": rows, "error": error }));
            }
        }
        "run" => {
            for spec in config["ops"].as_array().cloned().unwrap_or_default() {
                let name = spec["op"].as_str().unwrap_or("");
                let op = Op::parse(name).ok_or(Fail(format!("unknown op {name}")))?;
                rounds::interleave(op, &ts, num(&config, "rounds", 5) as usize, num(&spec, "iters", 50) as usize, num(&spec, "warmup", 5) as usize).await;
            }
        }
        "mix" => {
            let urls: Vec<String> = endpoints.iter().map(|(_, u)| u.clone()).collect();
            let seconds = config.get("seconds").and_then(Value::as_f64).unwrap_or(3.0);
            concurrent::mix(&ts, &urls, num(&config, "connections", 16) as usize, seconds, num(&config, "rounds", 3) as usize).await?;
        }
        "hold" => {
            let n = num(&config, "connections", 128) as usize;
            memory::hold(&endpoints, &ts, n, num(&config, "postgres_connections", n as u64) as usize).await?
        }
        "big" => memory::big(&ts, num(&config, "docs", 56_000) as usize, num(&config, "write_bytes", 2397) as usize).await,
        other => return Err(Fail(format!("unknown command {other}"))),
    }
    Ok(())
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    if let Err(Fail(e)) = main_inner().await {
        println!("{}", json!({ "event": "fatal", "error": e }));
        std::process::exit(1);
    }
}
