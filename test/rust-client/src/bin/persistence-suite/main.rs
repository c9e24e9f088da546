//! Convex's persistence test suite, driven through tokio-postgres exactly as Convex's
//! `crates/postgres` drives it. Usage: `persistence-suite URL MODE TEST…` (MODE is
//! `single` or `multitenant`; `all` runs every test; `list` prints their names).
//! Prints JSON lines: observations (`{"test","observe","value"}`) and one result per test
//! (`{"test","ok","error"?}`).

mod model;
mod persistence;
mod pool;
mod sql;
mod suite;

use std::time::Duration;

/// A guard against a hung endpoint, not a measurement: no test here takes nearly this long.
const TEST_TIMEOUT: Duration = Duration::from_secs(300);

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("list") {
        for t in suite::TESTS {
            println!("{t}");
        }
        return;
    }
    let [url, mode, tests @ ..] = args.as_slice() else {
        eprintln!("usage: persistence-suite URL single|multitenant TEST…|all");
        std::process::exit(2);
    };
    let multitenant = match mode.as_str() {
        "single" => false,
        "multitenant" => true,
        other => {
            eprintln!("unknown mode {other}");
            std::process::exit(2);
        },
    };
    let tests: Vec<String> = if tests.iter().any(|t| t == "all") { suite::TESTS.iter().map(|t| t.to_string()).collect() } else { tests.to_vec() };
    // Each test writes into a schema of its own; a prefix lets a rerun against the same
    // database start clean (Convex's suite got a fresh database per test).
    let prefix = std::env::var("SUITE_SCHEMA_PREFIX").unwrap_or_default();
    for test in tests {
        let schema = format!("{prefix}{}_{test}", if multitenant { "mt" } else { "st" });
        let ctx = suite::Ctx { url: url.clone(), multitenant, schema, test: test.clone() };
        let outcome = match tokio::time::timeout(TEST_TIMEOUT, suite::run(&ctx)).await {
            Ok(r) => r.map_err(|e| e.to_string()),
            Err(_) => Err(format!("no answer within {}s", TEST_TIMEOUT.as_secs())),
        };
        let line = match outcome {
            Ok(()) => serde_json::json!({ "test": test, "ok": true }),
            Err(error) => serde_json::json!({ "test": test, "ok": false, "error": error }),
        };
        println!("{line}");
    }
}
