//! Convex's driver against a PostgreSQL endpoint: prepare with unspecified parameter types,
//! bind binary parameters (i64 at the int64 edges, bytea incl. empty, NULL), read binary
//! results, and print one JSON line per observation so two endpoints' outputs can be diffed.

use std::error::Error;
use std::str::FromStr;

use tokio_postgres::config::TargetSessionAttrs;
use tokio_postgres::types::ToSql;
use tokio_postgres::{Client, Config, NoTls, Statement};

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn json_str(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn opt<T>(v: Option<T>, f: impl Fn(T) -> String) -> String {
    v.map(f).unwrap_or_else(|| "null".to_string())
}

/// The statement's parameter and column types as the server described them.
fn describe(name: &str, st: &Statement) -> String {
    let params: Vec<String> = st.params().iter().map(|t| json_str(t.name())).collect();
    let columns: Vec<String> = st.columns().iter().map(|c| format!("[{},{}]", json_str(c.name()), json_str(c.type_().name()))).collect();
    format!("{{\"prepare\":{},\"params\":[{}],\"columns\":[{}]}}", json_str(name), params.join(","), columns.join(","))
}

async fn run(client: &Client) -> Result<(), Box<dyn Error>> {
    client.execute("CREATE TABLE rust_client (id int8 PRIMARY KEY, big int8, data bytea, note text)", &[]).await?;

    let insert = client.prepare("INSERT INTO rust_client (id, big, data, note) VALUES ($1, $2, $3, $4)").await?;
    println!("{}", describe("insert", &insert));
    let rows: [(i64, Option<i64>, Option<Vec<u8>>, Option<&str>); 5] = [
        (1, Some(1_800_000_000_000_000_001), Some(vec![0xde, 0xad, 0xbe, 0xef]), Some("ts")),
        (2, Some(-1), Some(vec![]), Some("")),
        (3, Some(i64::MAX), Some(vec![0x00]), Some("max")),
        (4, Some(-i64::MAX), Some(vec![0xff; 3]), Some("min")),
        (5, None, None, None),
    ];
    for (id, big, data, note) in &rows {
        let params: [&(dyn ToSql + Sync); 4] = [id, big, data, note];
        let n = client.execute(&insert, &params).await?;
        println!("{{\"insert\":{id},\"rows\":{n}}}");
    }

    let select = client.prepare("SELECT id, big, data, note FROM rust_client WHERE id >= $1 ORDER BY id").await?;
    println!("{}", describe("select", &select));
    for row in client.query(&select, &[&0i64]).await? {
        let id: i64 = row.get(0);
        let big: Option<i64> = row.get(1);
        let data: Option<Vec<u8>> = row.get(2);
        let note: Option<String> = row.get(3);
        println!(
            "{{\"id\":{id},\"big\":{},\"data\":{},\"note\":{}}}",
            opt(big, |v| json_str(&v.to_string())),
            opt(data, |v| json_str(&hex(&v))),
            opt(note, |v| json_str(&v)),
        );
    }

    // Lookups by values beyond 2^53 and by an empty bytea must hit exactly one row each.
    let by_big = client.prepare("SELECT id FROM rust_client WHERE big = $1").await?;
    for big in [1_800_000_000_000_000_001i64, 1_800_000_000_000_000_000, i64::MAX, -1] {
        let ids: Vec<i64> = client.query(&by_big, &[&big]).await?.iter().map(|r| r.get(0)).collect();
        println!("{{\"big\":\"{big}\",\"ids\":{ids:?}}}");
    }
    let by_data = client.prepare("SELECT id FROM rust_client WHERE data = $1").await?;
    let ids: Vec<i64> = client.query(&by_data, &[&Vec::<u8>::new()]).await?.iter().map(|r| r.get(0)).collect();
    println!("{{\"empty_bytea\":{ids:?}}}");

    // A conditional update whose row count the caller checks, as Convex's lease update does.
    let bump = client.prepare("UPDATE rust_client SET big = $1 WHERE id = 2 AND big < $1").await?;
    println!("{}", describe("bump", &bump));
    for ts in [5i64, 5] {
        println!("{{\"bump\":{ts},\"rows\":{}}}", client.execute(&bump, &[&ts]).await?);
    }

    // A duplicate key fails with 23505 and leaves the connection usable.
    match client.execute(&insert, &[&1i64, &None::<i64>, &None::<Vec<u8>>, &None::<&str>]).await {
        Ok(n) => println!("{{\"duplicate\":\"accepted\",\"rows\":{n}}}"),
        Err(e) => println!("{{\"duplicate\":{}}}", json_str(e.code().map(|c| c.code()).unwrap_or("none"))),
    }
    more_types(client).await?;
    pipelined(client).await?;
    let count: i64 = client.query_one("SELECT count(*) FROM rust_client", &[]).await?.get(0);
    println!("{{\"count\":{count}}}");
    Ok(())
}

/// Last, because an endpoint may refuse BEGIN (0A000): then it prints one line saying so and
/// stops, and everything before still compares. The driver sends BEGIN/COMMIT/ROLLBACK as
/// simple queries and the statements inside through the extended protocol, as Convex writes.
async fn transactions(client: &mut Client) -> Result<(), Box<dyn Error>> {
    let tx = match client.transaction().await {
        Ok(tx) => tx,
        Err(e) if e.code().map(|c| c.code()) == Some("0A000") => {
            println!("{{\"transactions\":\"unsupported\",\"code\":\"0A000\"}}");
            return Ok(());
        }
        Err(e) => return Err(e.into()),
    };
    let insert = tx.prepare("INSERT INTO rust_client (id, big) VALUES ($1, $2)").await?;
    tx.execute(&insert, &[&10i64, &10i64]).await?;
    let inside: i64 = tx.query_one("SELECT count(*) FROM rust_client", &[]).await?.get(0);
    tx.rollback().await?;
    let after_rollback: i64 = client.query_one("SELECT count(*) FROM rust_client", &[]).await?.get(0);
    println!("{{\"rolled back\":{{\"inside\":{inside},\"after\":{after_rollback}}}}}");

    let tx = client.transaction().await?;
    tx.execute("INSERT INTO rust_client (id, big) VALUES ($1, $2)", &[&11i64, &11i64]).await?;
    let n = tx.execute("UPDATE rust_client SET note = $1 WHERE id = $2", &[&"committed", &11i64]).await?;
    tx.commit().await?;
    let note: Option<String> = client.query_one("SELECT note FROM rust_client WHERE id = $1", &[&11i64]).await?.get(0);
    println!("{{\"committed\":{{\"updated\":{n},\"note\":{}}}}}", opt(note, |v| json_str(&v)));

    // A failed statement aborts the transaction (25P02 until ROLLBACK); the row inserted
    // before it is gone afterwards.
    let tx = client.transaction().await?;
    tx.execute("INSERT INTO rust_client (id) VALUES ($1)", &[&12i64]).await?;
    let dup = tx.execute("INSERT INTO rust_client (id) VALUES ($1)", &[&12i64]).await.err().and_then(|e| e.code().map(|c| c.code().to_string()));
    let aborted = tx.query_one("SELECT 1", &[]).await.err().and_then(|e| e.code().map(|c| c.code().to_string()));
    tx.rollback().await?;
    let gone: i64 = client.query_one("SELECT count(*) FROM rust_client WHERE id = $1", &[&12i64]).await?.get(0);
    println!(
        "{{\"aborted\":{{\"duplicate\":{},\"next\":{},\"rows after rollback\":{gone}}}}}",
        json_str(dup.as_deref().unwrap_or("none")),
        json_str(aborted.as_deref().unwrap_or("none"))
    );
    Ok(())
}

/// bool, float8 and non-ASCII text, bound and read back in binary.
async fn more_types(client: &Client) -> Result<(), Box<dyn Error>> {
    client.execute("CREATE TABLE rust_flags (id int8 PRIMARY KEY, flag bool, score float8, label text)", &[]).await?;
    let insert = client.prepare("INSERT INTO rust_flags VALUES ($1, $2, $3, $4) RETURNING id").await?;
    println!("{}", describe("flags insert", &insert));
    let rows: [(i64, Option<bool>, Option<f64>, Option<&str>); 3] =
        [(1, Some(true), Some(0.1), Some("émoji ☃")), (2, Some(false), Some(-1.5e300), Some("")), (3, None, None, None)];
    for (id, flag, score, label) in &rows {
        let params: [&(dyn ToSql + Sync); 4] = [id, flag, score, label];
        let back: i64 = client.query_one(&insert, &params).await?.get(0);
        println!("{{\"flags insert\":{id},\"returned\":{back}}}");
    }
    let select = client.prepare("SELECT id, flag, score, label FROM rust_flags WHERE flag = $1 OR flag IS NULL ORDER BY id").await?;
    println!("{}", describe("flags select", &select));
    for want in [true, false] {
        for row in client.query(&select, &[&want]).await? {
            let id: i64 = row.get(0);
            let flag: Option<bool> = row.get(1);
            let score: Option<f64> = row.get(2);
            let label: Option<String> = row.get(3);
            // {:?} prints the shortest text that round-trips, so a changed bit changes the line.
            println!(
                "{{\"want\":{want},\"id\":{id},\"flag\":{},\"score\":{},\"label\":{}}}",
                opt(flag, |v| v.to_string()),
                opt(score, |v| json_str(&format!("{v:?}"))),
                opt(label, |v| json_str(&v)),
            );
        }
    }
    Ok(())
}

/// Three statements in flight at once (the driver pipelines them, one Sync each): the failing
/// middle one must not disturb the others, and each answer must reach its own caller.
async fn pipelined(client: &Client) -> Result<(), Box<dyn Error>> {
    let (a, b, c) = tokio::join!(
        client.query_one("SELECT big FROM rust_client WHERE id = $1", &[&1i64]),
        client.query_one("SELECT nope FROM rust_client_missing WHERE id = $1", &[&1i64]),
        client.query_one("SELECT note FROM rust_client WHERE id = $1", &[&3i64]),
    );
    let a: Option<i64> = a?.get(0);
    let b = b.err().and_then(|e| e.code().map(|c| c.code().to_string())).unwrap_or_else(|| "none".to_string());
    let c: Option<String> = c?.get(0);
    println!(
        "{{\"pipelined\":[{},{},{}]}}",
        opt(a, |v| json_str(&v.to_string())),
        json_str(&b),
        opt(c, |v| json_str(&v))
    );
    Ok(())
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn Error>> {
    let url = std::env::args().nth(1).ok_or("usage: rust-client POSTGRES_URL")?;
    // As Convex connects: it asks for a read-write session (the driver sends SHOW transaction_read_only).
    let mut config = Config::from_str(&url)?;
    config.target_session_attrs(TargetSessionAttrs::ReadWrite);
    let (mut client, connection) = config.connect(NoTls).await?;
    let driver = tokio::spawn(async move {
        if let Err(e) = connection.await {
            eprintln!("connection error: {e}");
        }
    });
    let mut result = run(&client).await;
    if result.is_ok() {
        result = transactions(&mut client).await;
    }
    drop(client);
    driver.await?;
    result
}
