//! Convex's persistence test suite (`crates/common/src/testing/persistence_test_suite.rs` and
//! `crates/postgres/src/tests.rs`, deleted in ba16e0638), test for test, over persistence.rs.
//! Each test asserts what Convex's asserts; `observe` prints values that must be equal on
//! PostgreSQL and on the endpoint under test (the node driver compares them).

use std::collections::{BTreeMap, BTreeSet};

use sha2::{Digest, Sha256};

use crate::model::*;
use crate::persistence::{stream_revision_pairs, ConnectError, Options, Persistence, PrevTsQuery, RevisionPair};

pub struct Ctx {
    pub url: String,
    pub multitenant: bool,
    /// A schema of this test's own, so tests never see each other's rows.
    pub schema: String,
    pub test: String,
}

macro_rules! check_eq {
    ($left:expr, $right:expr) => {{
        let (l, r) = (&$left, &$right);
        if l != r {
            let show = |s: String| if s.len() > 3000 { format!("{}…", &s[..3000]) } else { s };
            return Err(format!("{} != {}\n left: {}\nright: {}", stringify!($left), stringify!($right), show(format!("{l:?}")), show(format!("{r:?}"))).into());
        }
    }};
}

impl Ctx {
    pub fn options(&self) -> Options {
        Options { allow_read_only: false, schema: Some(self.schema.clone()), instance_name: "test".into(), multitenant: self.multitenant, skip_index_creation: false }
    }

    pub async fn persistence(&self) -> Res<Persistence> {
        self.persistence_with(self.options()).await
    }

    async fn persistence_with(&self, options: Options) -> Res<Persistence> {
        Persistence::new(&self.url, options).await.map_err(|e| match e {
            ConnectError::ReadOnly => "persistence is read-only, data migration in progress".into(),
            ConnectError::Other(e) => e,
        })
    }

    /// A value both endpoints must agree on, printed as one JSON line.
    pub fn observe(&self, what: &str, value: serde_json::Value) {
        println!("{}", serde_json::json!({ "test": self.test, "observe": what, "value": value }));
    }

    /// A digest of anything printable, for results too large to print.
    pub fn observe_digest(&self, what: &str, value: &impl std::fmt::Debug) {
        let digest = Sha256::digest(format!("{value:?}").as_bytes());
        self.observe(what, serde_json::Value::String(hex(&digest[..8])));
    }
}

pub const TESTS: &[&str] = &[
    "write_and_load",
    "write_and_load_from_table",
    "write_and_load_value_types",
    "overwrite_document",
    "overwrite_index",
    "write_and_load_sorting",
    "same_internal_id_multiple_tables",
    "query_index_at_ts",
    "query_index_range_short",
    "query_index_range_long",
    "query_multiple_indexes",
    "query_dangling_reference",
    "query_reference_deleted_doc",
    "query_with_rows_estimate_short",
    "query_with_rows_estimate_long",
    "write_then_read",
    "persistence_global",
    "persistence_enforce_retention",
    "persistence_delete_documents",
    "persistence_delete_many_documents",
    "persistence_delete_tablet_documents",
    "persistence_previous_revisions_of_documents",
    "persistence_previous_revisions",
    "persistence_load_revision_pairs",
    "persistence_table_stats",
    "lease_preempt",
    "read_only",
    "lease_for_share_blocks_takeover",
    "import_documents_and_indexes",
    "import_atomic",
    "load_from_table_desc",
    "delete_index_entries_chunked",
    "previous_revisions_of_documents_chunked",
];

pub async fn run(ctx: &Ctx) -> Res<()> {
    match ctx.test.as_str() {
        "write_and_load" => write_and_load(ctx).await,
        "write_and_load_from_table" => write_and_load_from_table(ctx).await,
        "write_and_load_value_types" => write_and_load_value_types(ctx).await,
        "overwrite_document" => overwrite_document(ctx).await,
        "overwrite_index" => overwrite_index(ctx).await,
        "write_and_load_sorting" => write_and_load_sorting(ctx).await,
        "same_internal_id_multiple_tables" => same_internal_id_multiple_tables(ctx).await,
        "query_index_at_ts" => query_index_at_ts(ctx).await,
        "query_index_range_short" => query_index_range_with_prefix(ctx, vec![]).await,
        "query_index_range_long" => query_index_range_with_prefix(ctx, Rng::new(7).bytes_of(10000)).await,
        "query_multiple_indexes" => query_multiple_indexes(ctx).await,
        "query_dangling_reference" => query_dangling_reference(ctx).await,
        "query_reference_deleted_doc" => query_reference_deleted_doc(ctx).await,
        "query_with_rows_estimate_short" => query_with_rows_estimate_with_prefix(ctx, vec![]).await,
        "query_with_rows_estimate_long" => query_with_rows_estimate_with_prefix(ctx, Rng::new(8).bytes_of(10000)).await,
        "write_then_read" => write_then_read(ctx).await,
        "persistence_global" => persistence_global(ctx).await,
        "persistence_enforce_retention" => persistence_enforce_retention(ctx).await,
        "persistence_delete_documents" => persistence_delete_documents(ctx).await,
        "persistence_delete_many_documents" => persistence_delete_many_documents(ctx).await,
        "persistence_delete_tablet_documents" => persistence_delete_tablet_documents(ctx).await,
        "persistence_previous_revisions_of_documents" => persistence_previous_revisions_of_documents(ctx).await,
        "persistence_previous_revisions" => persistence_previous_revisions(ctx).await,
        "persistence_load_revision_pairs" => test_load_revision_pairs(ctx).await,
        "persistence_table_stats" => persistence_table_stats(ctx).await,
        "lease_preempt" => lease_preempt(ctx).await,
        "read_only" => read_only(ctx).await,
        "lease_for_share_blocks_takeover" => lease_for_share_blocks_takeover(ctx).await,
        "import_documents_and_indexes" => import_documents_and_indexes(ctx).await,
        "import_atomic" => import_atomic(ctx).await,
        "load_from_table_desc" => load_from_table_desc(ctx).await,
        "delete_index_entries_chunked" => delete_index_entries_chunked(ctx).await,
        "previous_revisions_of_documents_chunked" => previous_revisions_of_documents_chunked(ctx).await,
        other => Err(format!("unknown test {other}").into()),
    }
}

fn entry(ts: Ts, doc: &Doc, prev_ts: Option<Ts>) -> LogEntry {
    LogEntry { ts, id: doc.id, value: Some(doc.clone()), prev_ts }
}

fn tombstone(ts: Ts, id: DocId, prev_ts: Option<Ts>) -> LogEntry {
    LogEntry { ts, id, value: None, prev_ts }
}

/// `TestIdGenerator::write_tables`: a global, then one `_tables` document and index entry
/// per known table, at Timestamp::MIN.
async fn write_tables(p: &Persistence, g: &mut IdGenerator) -> Res<()> {
    let tables_by_id = g.generate_internal();
    p.write_persistence_global("tablesByIdIndex", &format!("\"{}\"", hex(&tables_by_id.0))).await?;
    let tables_tablet = g.tables.iter().find(|(_, name, _)| name == "_tables").map(|(id, ..)| *id).ok_or("no _tables")?;
    let mut documents = vec![];
    let mut indexes = vec![];
    for (tablet, name, _) in g.tables.clone() {
        let id = DocId { table: tables_tablet, id: tablet };
        let doc = Doc::new(id, vec![("name", Val::Str(name))]);
        indexes.push(IndexUpdate { ts: TS_MIN, index_id: tables_by_id, key: index_key(&[], id), value: Some(id) });
        documents.push(entry(TS_MIN, &doc, None));
    }
    p.write(&documents, &indexes, false).await
}

async fn test_load_documents(ctx: &Ctx, p: &Persistence, g: &IdGenerator, range: TsRange, order: Order, expected: Vec<LogEntry>) -> Res<()> {
    let docs = p.load_documents(range, order, 10, Retention::NOOP).await?;
    let pairs = p.load_revision_pairs(None, range, order, 11, Retention::NOOP).await?;
    let expected_pairs = stream_revision_pairs(p, &docs, Retention::NOOP).await?;
    check_eq!(pairs, expected_pairs);
    let docs: Vec<_> = docs.into_iter().filter(|e| !g.is_system_tablet(e.id.table)).collect();
    ctx.observe_digest("load_documents", &docs);
    check_eq!(docs, expected);
    Ok(())
}

async fn test_load_documents_from_table(ctx: &Ctx, p: &Persistence, tablet: TabletId, range: TsRange, order: Order, expected: Vec<LogEntry>) -> Res<()> {
    for page_size in 1..3 {
        let docs = p.load_documents_from_table(tablet, range, order, page_size, Retention::NOOP).await?;
        let pairs = p.load_revision_pairs(Some(tablet), range, order, page_size + 1, Retention::NOOP).await?;
        let expected_pairs = stream_revision_pairs(p, &docs, Retention::NOOP).await?;
        check_eq!(pairs, expected_pairs);
        ctx.observe_digest("load_documents_from_table", &docs);
        check_eq!(docs, expected);
    }
    Ok(())
}

async fn write_and_load(ctx: &Ctx) -> Res<()> {
    let p = ctx.persistence().await?;
    // `is_fresh`: check_newly_created found no documents.
    ensure!(p.newly_created, "a new schema's persistence is not fresh");
    let mut g = IdGenerator::new();
    let doc_id = g.user_generate("table");
    let doc = Doc::new(doc_id, vec![("int", Val::Int(1)), ("float", Val::Float(3.0)), ("inf", Val::Float(f64::INFINITY))]);
    let written = entry(0, &doc, None);
    let deleted = tombstone(1, doc_id, Some(0));
    p.write(&[written.clone(), deleted.clone()], &[], false).await?;
    write_tables(&p, &mut g).await?;
    // Equivalent of load_all_documents.
    test_load_documents(ctx, &p, &g, TsRange::all(), Order::Asc, vec![written.clone(), deleted.clone()]).await?;
    // Pattern used when updating shape.
    test_load_documents(ctx, &p, &g, TsRange::from(1), Order::Asc, vec![deleted.clone()]).await?;
    // Pattern used when bootstrapping index.
    test_load_documents(ctx, &p, &g, TsRange::at(TS_MIN), Order::Asc, vec![written.clone()]).await?;
    // Pattern used when backfilling index.
    test_load_documents(ctx, &p, &g, TsRange::before(2), Order::Desc, vec![deleted, written]).await
}

async fn write_and_load_from_table(ctx: &Ctx) -> Res<()> {
    let p = ctx.persistence().await?;
    let mut g = IdGenerator::new();
    let doc1 = Doc::new(g.user_generate("table1"), vec![("int", Val::Int(1)), ("float", Val::Float(3.0)), ("inf", Val::Float(f64::INFINITY))]);
    let doc2 = Doc::new(g.user_generate("table2"), vec![]);
    p.write(
        &[entry(0, &doc1, None), entry(0, &doc2, None), tombstone(1, doc1.id, Some(0)), tombstone(1, doc2.id, Some(0))],
        &[],
        false,
    )
    .await?;
    write_tables(&p, &mut g).await?;
    for doc in [&doc1, &doc2] {
        let both = vec![entry(0, doc, None), tombstone(1, doc.id, Some(0))];
        test_load_documents_from_table(ctx, &p, doc.id.table, TsRange::all(), Order::Asc, both).await?;
        test_load_documents_from_table(ctx, &p, doc.id.table, TsRange::from(1), Order::Asc, vec![tombstone(1, doc.id, Some(0))]).await?;
        test_load_documents_from_table(ctx, &p, doc.id.table, TsRange::before(1), Order::Asc, vec![entry(0, doc, None)]).await?;
    }
    Ok(())
}

async fn write_and_load_value_types(ctx: &Ctx) -> Res<()> {
    let p = ctx.persistence().await?;
    let mut g = IdGenerator::new();
    let values = vec![
        Val::Null,
        Val::Int(-1),
        Val::Float(f64::NEG_INFINITY),
        Val::Float(f64::MIN),
        Val::Float(-0.0),
        Val::Float(0.0),
        Val::Float(f64::MIN_POSITIVE),
        Val::Float(f64::MAX),
        Val::Float(f64::INFINITY),
        Val::Float(f64::NAN),
        Val::Bool(true),
        Val::Str(String::new()),
        Val::Str("\x00".into()),
        Val::Str("\u{10348}".into()),
        Val::Bytes(vec![]),
        Val::Bytes(vec![3, 3, 4, 4]),
        // Just under 16 MiB: its JSON (base64) is ~22 MB, far past one stored value's 2 MB.
        Val::Bytes(vec![0; (1 << 24) - 10000]),
        Val::Array(vec![Val::Null]),
        Val::Object(vec![("nested".into(), Val::Null)]),
    ];
    let updates: Vec<LogEntry> = values
        .into_iter()
        .enumerate()
        .map(|(ts, value)| entry(ts as Ts, &Doc::new(g.user_generate("table"), vec![("field", value)]), None))
        .collect();
    ctx.observe("largest json_value", serde_json::json!(updates.iter().map(|u| u.value.as_ref().unwrap().json.len()).max()));
    p.write(&updates, &[], false).await?;
    write_tables(&p, &mut g).await?;
    test_load_documents(ctx, &p, &g, TsRange::all(), Order::Asc, updates).await
}

fn is_duplicate(err: &str) -> bool {
    err.contains("constraint") || err.contains("Duplicate entry")
}

async fn overwrite_document(ctx: &Ctx) -> Res<()> {
    let p = ctx.persistence().await?;
    let mut g = IdGenerator::new();
    let doc = Doc::new(g.user_generate("table"), vec![]);
    p.write(&[entry(0, &doc, None), tombstone(1, doc.id, Some(0))], &[], false).await?;
    // Overwriting the original write at ts 0 fails…
    let err = p.write(&[entry(0, &doc, None)], &[], false).await.err().ok_or("duplicate write succeeded")?.to_string();
    ensure!(is_duplicate(&err), "duplicate write failed without naming the constraint: {err}");
    ctx.observe("duplicate mentions constraint", serde_json::json!(true));
    // …and succeeds with ConflictStrategy::Overwrite.
    p.write(&[entry(0, &doc, None)], &[], true).await?;
    check_eq!(p.load_all_documents().await?.len(), 2);
    Ok(())
}

async fn overwrite_index(ctx: &Ctx) -> Res<()> {
    let p = ctx.persistence().await?;
    let mut g = IdGenerator::new();
    let mut rng = Rng::new(1);
    let index_id = g.system_generate("_index").id;
    let ts = 1;
    let doc_id = g.user_generate("table");
    let value = Val::Bytes(rng.bytes());
    let doc = Doc::new(doc_id, vec![("value", value.clone())]);
    let key = index_key(&[value], doc_id);
    let update = IndexUpdate { ts, index_id, key: key.clone(), value: Some(doc_id) };
    p.write(&[entry(ts, &doc, None)], std::slice::from_ref(&update), false).await?;
    // Writing at the same ts with ConflictStrategy::Error fails.
    let err = p.write(&[], &[update], false).await.err().ok_or("duplicate index write succeeded")?.to_string();
    ensure!(is_duplicate(&err), "duplicate index write failed without naming the constraint: {err}");
    // With ConflictStrategy::Overwrite it succeeds, and the entry is now deleted.
    p.write(&[], &[IndexUpdate { ts, index_id, key, value: None }], true).await?;
    let results = p.index_scan(index_id, ts, &Interval::all(), Order::Asc, 1, Retention::NOOP).await?;
    ctx.observe("results after overwrite", serde_json::json!(results.len()));
    check_eq!(results, vec![]);
    Ok(())
}

async fn write_and_load_sorting(ctx: &Ctx) -> Res<()> {
    let p = ctx.persistence().await?;
    let mut g = IdGenerator::new();
    let doc1 = Doc::new(g.user_generate("table1"), vec![]);
    let doc2 = Doc::new(g.user_generate("table2"), vec![]);
    // Sorted by ts, not by id.
    p.write(&[entry(1, &doc1, None), entry(0, &doc2, None)], &[], false).await?;
    write_tables(&p, &mut g).await?;
    let docs: Vec<_> = p.load_all_documents().await?.into_iter().filter(|e| !g.is_system_tablet(e.id.table)).collect();
    ctx.observe_digest("docs", &docs);
    check_eq!(docs, vec![entry(0, &doc2, None), entry(1, &doc1, None)]);
    Ok(())
}

async fn same_internal_id_multiple_tables(ctx: &Ctx) -> Res<()> {
    let p = ctx.persistence().await?;
    let mut g = IdGenerator::new();
    // Two documents with the same internal id in two tables.
    let internal_id = g.generate_internal();
    let table1 = g.user_table_id("table1");
    let table2 = g.user_table_id("table2");
    let doc1 = Doc::new(DocId { table: table1, id: internal_id }, vec![("value", Val::Int(1))]);
    let doc2 = Doc::new(DocId { table: table2, id: internal_id }, vec![("value", Val::Int(2))]);
    let index1 = g.system_generate("_index").id;
    let index2 = g.system_generate("_index").id;
    let ts = 1000;
    let key = index_key(&[Val::Int(1)], doc1.id);
    p.write(
        &[entry(ts, &doc1, None), entry(ts, &doc2, None)],
        &[
            IndexUpdate { ts, index_id: index1, key: key.clone(), value: Some(doc1.id) },
            IndexUpdate { ts, index_id: index2, key, value: Some(doc2.id) },
        ],
        false,
    )
    .await?;
    for (index, doc) in [(index1, &doc1), (index2, &doc2)] {
        let results = p.index_scan(index, ts, &Interval::all(), Order::Asc, 100, Retention::NOOP).await?;
        check_eq!(results.len(), 1);
        check_eq!(results[0].value, *doc);
    }
    ctx.observe("both indexes resolve their own table", serde_json::json!(true));
    Ok(())
}

async fn query_index_at_ts(ctx: &Ctx) -> Res<()> {
    let p = ctx.persistence().await?;
    let mut g = IdGenerator::new();
    let mut rng = Rng::new(2);
    let index_id = g.system_generate("_index").id;
    let doc_id = g.user_generate("table");
    let ts_to_value: BTreeMap<Ts, Vec<u8>> = (0..=100).map(|ts| (ts, rng.bytes())).collect();
    let mut old_key: Option<Vec<u8>> = None;
    for (ts, value) in &ts_to_value {
        let doc = Doc::new(doc_id, vec![("value", Val::Bytes(value.clone()))]);
        let key = index_key(&[Val::Bytes(value.clone())], doc_id);
        let mut updates = vec![IndexUpdate { ts: *ts, index_id, key: key.clone(), value: Some(doc_id) }];
        if let Some(old) = old_key.filter(|old| *old != key) {
            updates.push(IndexUpdate { ts: *ts, index_id, key: old, value: None });
        }
        p.write(&[entry(*ts, &doc, None)], &updates, false).await?;
        old_key = Some(key);
    }
    write_tables(&p, &mut g).await?;
    // A query at each timestamp returns exactly that timestamp's value.
    for (ts, value) in ts_to_value {
        let results = p.index_scan(index_id, ts, &Interval::all(), Order::Asc, 100, Retention::NOOP).await?;
        let doc = Doc::new(doc_id, vec![("value", Val::Bytes(value.clone()))]);
        let key = index_key(&[Val::Bytes(value)], doc_id);
        check_eq!(results, vec![IndexHit { key, ts, value: doc, prev_ts: None }]);
    }
    ctx.observe("timestamps checked", serde_json::json!(101));
    Ok(())
}

/// Ranges where every key starts with `prefix` (empty, or 10 000 bytes: past the 2500-byte
/// key_prefix, so keys share a key_prefix and sort by their key_suffix in the client).
async fn query_index_range_with_prefix(ctx: &Ctx, prefix: Vec<u8>) -> Res<()> {
    let p = ctx.persistence().await?;
    let mut g = IdGenerator::new();
    let mut rng = Rng::new(3);
    let index_id = g.system_generate("_index").id;
    let ts = 1702;
    let mut documents = vec![];
    let mut indexes = vec![];
    let mut keys = vec![];
    let mut keys_to_doc = BTreeMap::new();
    for _ in 0..10 {
        let mut value = prefix.clone();
        value.extend(rng.bytes());
        let doc_id = g.user_generate("table");
        let doc = Doc::new(doc_id, vec![("value", Val::Bytes(value.clone()))]);
        documents.push(entry(ts, &doc, None));
        let key = index_key(&[Val::Bytes(value)], doc_id);
        keys.push(key.clone());
        keys_to_doc.insert(key.clone(), doc);
        indexes.push(IndexUpdate { ts, index_id, key, value: Some(doc_id) });
    }
    p.write(&documents, &indexes, false).await?;
    write_tables(&p, &mut g).await?;
    keys.sort();
    let mut scans = 0;
    for i in 0..keys.len() {
        for j in 0..keys.len() {
            for order in [Order::Asc, Order::Desc] {
                let interval = Interval::to_after_prefix(keys[i].clone(), &keys[j]);
                let results = p.index_scan(index_id, ts, &interval, order, 100, Retention::NOOP).await?;
                let mut expected_keys = keys[i..i.max(j + 1)].to_vec();
                if order == Order::Desc {
                    expected_keys.reverse();
                }
                let expected: Vec<_> = expected_keys.into_iter().map(|k| IndexHit { value: keys_to_doc[&k].clone(), key: k, ts, prev_ts: None }).collect();
                check_eq!(results, expected);
                scans += 1;
            }
        }
    }
    ctx.observe("scans", serde_json::json!(scans));
    Ok(())
}

async fn query_multiple_indexes(ctx: &Ctx) -> Res<()> {
    let p = ctx.persistence().await?;
    let mut g = IdGenerator::new();
    let ts = 1702;
    let mut documents = vec![];
    let mut indexes = vec![];
    let mut index_to_results: BTreeMap<InternalId, Vec<IndexHit>> = BTreeMap::new();
    for i in 0..5 {
        let index_id = g.system_generate("_index").id;
        for j in 0..5 {
            let doc_id = g.user_generate("table");
            let field = format!("value_{i}");
            let doc = Doc::new(doc_id, vec![(field.as_str(), Val::Int(j))]);
            let key = index_key(&[Val::Int(j)], doc_id);
            documents.push(entry(ts, &doc, None));
            indexes.push(IndexUpdate { ts, index_id, key: key.clone(), value: Some(doc_id) });
            index_to_results.entry(index_id).or_default().push(IndexHit { key, ts, value: doc, prev_ts: None });
        }
    }
    p.write(&documents, &indexes, false).await?;
    write_tables(&p, &mut g).await?;
    for (index_id, expected) in index_to_results {
        let results = p.index_scan(index_id, ts, &Interval::all(), Order::Asc, 100, Retention::NOOP).await?;
        check_eq!(results, expected);
    }
    ctx.observe("indexes", serde_json::json!(5));
    Ok(())
}

/// An index entry whose document was never written: the scan fails.
async fn query_dangling_reference(ctx: &Ctx) -> Res<()> {
    let p = ctx.persistence().await?;
    let mut g = IdGenerator::new();
    let ts = 1702;
    let index_id = g.system_generate("_index").id;
    let doc_id = g.user_generate("table");
    let key = index_key(&[Val::Int(20)], doc_id);
    p.write(&[], &[IndexUpdate { ts, index_id, key: key.clone(), value: Some(doc_id) }], false).await?;
    for (interval, size) in [(Interval::all(), 100), (Interval::singleton(key), 1)] {
        let err = p.index_scan(index_id, ts, &interval, Order::Asc, size, Retention::NOOP).await.err().ok_or("dangling reference not reported")?.to_string();
        ensure!(err.contains("Dangling index reference"), "unexpected error: {err}");
    }
    ctx.observe("dangling reference reported", serde_json::json!(true));
    Ok(())
}

/// An index entry pointing at a deleted document: the scan fails.
async fn query_reference_deleted_doc(ctx: &Ctx) -> Res<()> {
    let p = ctx.persistence().await?;
    let mut g = IdGenerator::new();
    let ts = 1702;
    let index_id = g.system_generate("_index").id;
    let doc_id = g.user_generate("table");
    let key = index_key(&[Val::Int(20)], doc_id);
    p.write(&[tombstone(ts, doc_id, None)], &[IndexUpdate { ts, index_id, key: key.clone(), value: Some(doc_id) }], false).await?;
    for (interval, size) in [(Interval::all(), 100), (Interval::singleton(key), 1)] {
        let err = p.index_scan(index_id, ts, &interval, Order::Asc, size, Retention::NOOP).await.err().ok_or("reference to a deleted document not reported")?.to_string();
        ensure!(err.contains("Index reference to deleted document"), "unexpected error: {err}");
    }
    ctx.observe("deleted reference reported", serde_json::json!(true));
    Ok(())
}

async fn query_with_rows_estimate_with_prefix(ctx: &Ctx, prefix: Vec<u8>) -> Res<()> {
    let p = ctx.persistence().await?;
    let mut g = IdGenerator::new();
    let ts = 1702;
    let index_id = g.system_generate("_index").id;
    let mut documents = vec![];
    for i in 0..99u8 {
        let doc_id = g.user_generate("table");
        let mut value = prefix.clone();
        value.push(i);
        let doc = Doc::new(doc_id, vec![("value", Val::Bytes(value.clone()))]);
        let update = IndexUpdate { ts, index_id, key: index_key(&[Val::Bytes(value)], doc_id), value: Some(doc_id) };
        p.write(&[entry(ts, &doc, None)], &[update], false).await?;
        documents.push(doc);
    }
    write_tables(&p, &mut g).await?;
    // The same result whatever the rows estimate (page size).
    for rows_estimate in [1, 10, 20, 100] {
        let results: Vec<Doc> = p.index_scan(index_id, ts, &Interval::all(), Order::Asc, rows_estimate, Retention::NOOP).await?.into_iter().map(|h| h.value).collect();
        check_eq!(results, documents);
    }
    ctx.observe_digest("documents", &documents);
    Ok(())
}

async fn write_then_read(ctx: &Ctx) -> Res<()> {
    let p_write = ctx.persistence().await?;
    let mut g = IdGenerator::new();
    let doc = Doc::new(g.user_generate("table"), vec![]);
    p_write.write(&[entry(0, &doc, None)], &[], false).await?;
    write_tables(&p_write, &mut g).await?;
    p_write.shutdown();
    drop(p_write);
    // Read from another persistence (another pool, a new lease).
    let p_read = ctx.persistence().await?;
    ensure!(!p_read.newly_created, "persistence over written documents claims to be fresh");
    let results: Vec<_> = p_read.load_all_documents().await?.into_iter().filter(|e| !g.is_system_tablet(e.id.table)).collect();
    ctx.observe_digest("results", &results);
    check_eq!(results, vec![entry(0, &doc, None)]);
    Ok(())
}

async fn persistence_global(ctx: &Ctx) -> Res<()> {
    let p = ctx.persistence().await?;
    let key = "indexRetentionMinSnapshotTimestamp";
    p.write_persistence_global(key, "5").await?;
    check_eq!(p.get_persistence_global(key).await?, Some(b"5".to_vec()));
    // A new value overwrites.
    p.write_persistence_global(key, "8").await?;
    check_eq!(p.get_persistence_global(key).await?, Some(b"8".to_vec()));
    // Deeply nested values round-trip.
    let nested = format!("{}\"hi\"{}", "{\"a\":".repeat(257), "}".repeat(257));
    p.write_persistence_global(key, &nested).await?;
    check_eq!(p.get_persistence_global(key).await?, Some(nested.into_bytes()));
    check_eq!(p.get_persistence_global("nonexistent").await?, None);
    ctx.observe("globals", serde_json::json!(3));
    Ok(())
}

/// `IndexEntry::is_expired` from the suite: is this row outside a retention of
/// `min_snapshot_ts`, given the next row in (index_id, key, ts) order?
fn is_expired(row: &IndexEntry, min_snapshot_ts: Ts, next: Option<&IndexEntry>) -> Res<bool> {
    if let Some(next) = next {
        ensure!(row < next, "index entries passed out of order - {row:?} before {next:?}");
    }
    if row.ts >= min_snapshot_ts {
        return Ok(false);
    }
    if row.deleted {
        return Ok(true);
    }
    Ok(match next {
        None => false,
        Some(next) => row.index_id == next.index_id && row.key_sha256 == next.key_sha256 && next.ts <= min_snapshot_ts,
    })
}

async fn persistence_enforce_retention(ctx: &Ctx) -> Res<()> {
    let p = ctx.persistence().await?;
    let mut g = IdGenerator::new();
    let by_id_index = g.system_generate("_index").id;
    let by_val_index = g.system_generate("_index").id;
    let tablet = g.user_table_id("table");
    let by_id = |id: DocId, ts: Ts, deleted: bool| IndexUpdate { ts, index_id: by_id_index, key: index_key(&[], id), value: (!deleted).then_some(id) };
    let by_val = |id: DocId, ts: Ts, val: i64, deleted: bool| IndexUpdate { ts, index_id: by_val_index, key: index_key(&[Val::Int(val)], id), value: (!deleted).then_some(id) };
    let [id1, id2, id3, id4, id5] = [(); 5].map(|_| g.user_generate("table"));
    let documents = vec![
        doc(id1, 1, Some(5), None),    // expired because overwritten.
        doc(id2, 2, Some(5), None),    // expired because overwritten.
        doc(id1, 3, Some(6), Some(1)), // latest.
        doc(id2, 4, None, Some(2)),    // expired because tombstone.
        doc(id3, 5, Some(5), None),    // latest.
        doc(id4, 6, Some(5), None),    // visible at min_snapshot_ts.
        doc(id5, 7, Some(5), None),    // visible at min_snapshot_ts.
        // min_snapshot_ts: 8
        doc(id4, 9, None, Some(6)),
        doc(id5, 10, Some(6), Some(7)),
        doc(id5, 11, Some(5), Some(10)),
    ];
    let indexes = vec![
        by_id(id1, 1, false),     // expired because overwritten.
        by_val(id1, 1, 5, false), // expired because overwritten.
        by_id(id2, 2, false),     // expired because overwritten.
        by_val(id2, 2, 5, false), // expired because overwritten.
        by_id(id1, 3, false),
        by_val(id1, 3, 5, true), // expired because tombstone.
        by_val(id1, 3, 6, false),
        by_id(id2, 4, true),     // expired because tombstone.
        by_val(id2, 4, 5, true), // expired because tombstone.
        by_id(id3, 5, false),
        by_val(id3, 5, 5, false),
        by_id(id4, 6, false),
        by_val(id4, 6, 5, false),
        by_id(id5, 7, false),
        by_val(id5, 7, 5, false),
        // min_snapshot_ts: 8
        by_id(id4, 9, true),
        by_val(id4, 9, 5, true),
        by_id(id5, 10, false),
        by_val(id5, 10, 5, true),
        by_val(id5, 10, 6, false),
        by_id(id5, 11, false),
        by_val(id5, 11, 6, true),
        by_val(id5, 11, 5, false),
    ];
    p.write(&documents, &indexes, false).await?;
    // _tables, _index and table, each with an index entry.
    let tables_count = 3;
    write_tables(&p, &mut g).await?;

    // load_index_chunk pagination.
    let mut index_entries = vec![];
    let mut cursor: Option<IndexEntry> = None;
    loop {
        let chunk = p.load_index_chunk(cursor.as_ref(), 3).await?;
        ensure!(chunk.len() <= 3, "chunk of {}", chunk.len());
        cursor = if chunk.len() < 3 { None } else { chunk.last().cloned() };
        index_entries.extend(chunk);
        if cursor.is_none() {
            break;
        }
    }
    check_eq!(index_entries.len(), 23 + tables_count);
    let min_snapshot_ts = 8;
    let mut expired = vec![];
    for pair in index_entries.windows(2) {
        if is_expired(&pair[0], min_snapshot_ts, Some(&pair[1]))? {
            expired.push(pair[0].clone());
        }
    }
    ensure!(!is_expired(index_entries.last().unwrap(), min_snapshot_ts, None)?, "last entry expired");
    check_eq!(expired.len(), 7);
    check_eq!(p.delete_index_entries(expired).await?, 7);

    // Every document is still visible at snapshot 8.
    let results: Vec<(DocId, Ts)> = p.index_scan(by_val_index, 8, &Interval::all(), Order::Asc, 1, Retention::NOOP).await?.into_iter().map(|h| (h.value.id, h.ts)).collect();
    check_eq!(results, vec![(id3, 5), (id4, 6), (id5, 7), (id1, 3)]);
    let point_query = |id: DocId, ts: Ts| {
        let p = &p;
        async move {
            let mut hits = p.index_scan(by_id_index, ts, &Interval::singleton(index_key(&[], id)), Order::Asc, 1, Retention::NOOP).await?;
            ensure!(hits.len() <= 1, "point query returned {}", hits.len());
            Res::Ok(hits.pop())
        }
    };
    for id in [id1, id3, id4, id5] {
        ensure!(point_query(id, 8).await?.is_some(), "{id:?} invisible at 8");
    }
    ensure!(point_query(id2, 8).await?.is_none(), "id2 visible at 8");
    // Old versions at snapshot 2 are gone.
    check_eq!(p.index_scan(by_val_index, 2, &Interval::all(), Order::Asc, 1, Retention::NOOP).await?, vec![]);
    // Deleting entries that do not exist deletes nothing.
    let nonexistent = IndexEntry {
        index_id: InternalId([1; 16]),
        key_prefix: vec![],
        key_sha256: Sha256::digest(b"").to_vec(),
        ts: 123,
        key_suffix: None,
        deleted: false,
    };
    check_eq!(p.delete_index_entries(vec![nonexistent]).await?, 0);
    for id in [id1, id2, id3, id4, id5] {
        ensure!(point_query(id, 2).await?.is_none(), "{id:?} visible at 2");
    }
    let _ = tablet;
    ctx.observe("expired deleted", serde_json::json!(7));
    Ok(())
}

async fn persistence_delete_documents(ctx: &Ctx) -> Res<()> {
    let p = ctx.persistence().await?;
    let mut g = IdGenerator::new();
    let ids: Vec<DocId> = (0..10).map(|_| g.user_generate("table")).collect();
    let documents: Vec<LogEntry> = ids.iter().enumerate().map(|(i, id)| doc(*id, (if i < 3 { i + 1 } else { i + 2 }) as Ts, Some(i as i64 + 1), None)).collect();
    p.write(&documents, &[], false).await?;
    check_eq!(p.load_all_documents().await?, documents);
    let to_delete: Vec<(Ts, DocId)> = documents[..3].iter().map(|e| (e.ts, e.id)).collect();
    check_eq!(p.delete(to_delete).await?, 3);
    let remaining = p.load_all_documents().await?;
    ctx.observe_digest("remaining", &remaining);
    check_eq!(remaining, documents[3..].to_vec());
    Ok(())
}

async fn persistence_delete_many_documents(ctx: &Ctx) -> Res<()> {
    let p = ctx.persistence().await?;
    let mut g = IdGenerator::new();
    // A power of two minus one exercises the 8-way chunks and the remainder.
    const NUM_DOCS: usize = 8191;
    let documents: Vec<LogEntry> = (0..NUM_DOCS).map(|i| doc(g.user_generate("table"), i as Ts + 1, Some(i as i64), None)).collect();
    p.write(&documents, &[], false).await?;
    let to_delete: Vec<(Ts, DocId)> = documents[..NUM_DOCS - 1].iter().map(|e| (e.ts, e.id)).collect();
    let deleted = p.delete(to_delete).await?;
    ctx.observe("deleted", serde_json::json!(deleted));
    check_eq!(deleted, NUM_DOCS - 1);
    check_eq!(p.load_all_documents().await?, vec![documents.last().unwrap().clone()]);
    Ok(())
}

async fn persistence_delete_tablet_documents(ctx: &Ctx) -> Res<()> {
    let p = ctx.persistence().await?;
    let mut g = IdGenerator::new();
    const NUM_DOCS: usize = 256;
    // Convex's DELETE_TABLET_CHUNK_SIZE default.
    const CHUNK: usize = 256;
    let ids: Vec<DocId> = (0..NUM_DOCS).map(|_| g.user_generate("table")).collect();
    let documents: Vec<LogEntry> = ids.iter().enumerate().map(|(i, id)| doc(*id, i as Ts + 1, Some(i as i64), None)).collect();
    p.write(&documents, &[], false).await?;
    let deleted = p.delete_tablet_documents(ids[0].table, CHUNK).await?;
    ctx.observe("deleted", serde_json::json!(deleted));
    check_eq!(deleted, CHUNK);
    check_eq!(p.load_all_documents().await?.len(), NUM_DOCS - CHUNK);
    Ok(())
}

async fn persistence_previous_revisions_of_documents(ctx: &Ctx) -> Res<()> {
    let p = ctx.persistence().await?;
    let mut g = IdGenerator::new();
    let [id1, id2, id3] = [(); 3].map(|_| g.user_generate("table"));
    let d = |id: DocId| Doc::new(id, vec![("field", Val::Id(id))]);
    p.write(&[entry(1, &d(id1), None), entry(1, &d(id2), None), entry(1, &d(id3), None)], &[], false).await?;
    p.write(&[tombstone(2, id2, Some(1))], &[], false).await?;
    p.write(&[entry(3, &d(id1), Some(1))], &[], false).await?;
    let nonexistent = DocId { table: g.generate_internal(), id: g.generate_internal() };
    let q = |id, ts, prev_ts| PrevTsQuery { id, ts, prev_ts };
    let queries: BTreeSet<PrevTsQuery> = [
        q(id1, 4, 3),         // latest revision
        q(id1, 3, 1),         // previous revision of the latest
        q(id2, 3, 2),         // tombstone
        q(id2, 4, 3),         // no revision at prev_ts
        q(id3, 2, 1),         // unchanged document
        q(nonexistent, 2, 1), // no such document
    ]
    .into();
    let results = p.previous_revisions_of_documents(queries.clone(), Retention::NOOP).await?;
    ctx.observe_digest("results", &results);
    check_eq!(results.len(), 4);
    for key in [q(id1, 3, 1), q(id2, 3, 2), q(id3, 2, 1)] {
        ensure!(results.contains_key(&key), "missing {key:?}");
    }
    let id1_at_3 = &results[&q(id1, 4, 3)];
    let id1_at_1 = &results[&q(id1, 3, 1)];
    check_eq!(id1_at_3.value, Some(d(id1)));
    check_eq!(id1_at_3.prev_ts, Some(1));
    check_eq!(id1_at_1.value, Some(d(id1)));
    check_eq!(id1_at_1.prev_ts, None);
    check_eq!(results[&q(id2, 3, 2)].value, None);
    // Within document retention (min 0): valid.
    p.previous_revisions_of_documents(queries.clone(), Retention::fake(4, 0)).await?;
    // Min ts queried is 1 < min_document_ts 4: invalid, even where no document exists.
    ensure!(p.previous_revisions_of_documents(queries, Retention::fake(4, 4)).await.is_err(), "outside retention accepted");
    ensure!(p.previous_revisions_of_documents([q(nonexistent, 1, 1)].into(), Retention::fake(4, 4)).await.is_err(), "outside retention accepted");
    Ok(())
}

async fn persistence_previous_revisions(ctx: &Ctx) -> Res<()> {
    let p = ctx.persistence().await?;
    let mut g = IdGenerator::new();
    let ids: Vec<DocId> = (0..12).map(|_| g.user_generate("table")).collect();
    let d = |id: DocId| Doc::new(id, vec![("field", Val::Id(id))]);
    // Eight documents at ts 1, four of them deleted at ts 2.
    p.write(&ids[..8].iter().map(|id| entry(1, &d(*id), None)).collect::<Vec<_>>(), &[], false).await?;
    p.write(&ids[1..5].iter().map(|id| tombstone(2, *id, None)).collect::<Vec<_>>(), &[], false).await?;
    write_tables(&p, &mut g).await?;
    // The eight documents and four nonexistent ids, at ts 3: one 8-way CTE and four single
    // queries, pipelined.
    let queries: BTreeSet<(DocId, Ts)> = ids.iter().map(|id| (*id, 3)).collect();
    let expected: BTreeMap<(DocId, Ts), LogEntry> = ids[..8]
        .iter()
        .enumerate()
        .map(|(i, id)| {
            let deleted = (1..5).contains(&i);
            ((*id, 3), LogEntry { id: *id, ts: if deleted { 2 } else { 1 }, value: (!deleted).then(|| d(*id)), prev_ts: None })
        })
        .collect();
    let results = p.previous_revisions(queries.clone(), Retention::NOOP).await?;
    ctx.observe_digest("results", &results);
    check_eq!(results, expected);
    // Queries at ts 3 with minimum timestamps below 3: valid.
    p.previous_revisions(queries.clone(), Retention::fake(2, 0)).await?;
    // Outside index retention but inside document retention: valid.
    p.previous_revisions(queries.clone(), Retention::fake(4, 1)).await?;
    // Outside both: invalid.
    ensure!(p.previous_revisions(queries, Retention::fake(5, 5)).await.is_err(), "outside retention accepted");
    Ok(())
}

async fn test_load_revision_pairs(ctx: &Ctx) -> Res<()> {
    let p = ctx.persistence().await?;
    let mut g = IdGenerator::new();
    let id = g.user_generate("table");
    let documents = vec![doc(id, 2, Some(2), Some(1)), doc(id, 3, Some(3), Some(2)), doc(id, 4, None, Some(3))];
    p.write(&documents, &[], false).await?;
    let pairs = p.load_revision_pairs(None, TsRange::from(2), Order::Asc, 1, Retention::NOOP).await?;
    let pair = |i: usize, prev: (Ts, Option<Doc>)| RevisionPair { id, ts: documents[i].ts, document: documents[i].value.clone(), prev: Some(prev) };
    ctx.observe_digest("pairs", &pairs);
    check_eq!(
        pairs,
        vec![
            // None: the previous revision is gone (not a tombstone).
            pair(0, (1, None)),
            pair(1, (2, documents[0].value.clone())),
            pair(2, (3, documents[1].value.clone())),
        ]
    );
    Ok(())
}

async fn persistence_table_stats(ctx: &Ctx) -> Res<()> {
    let p = ctx.persistence().await?;
    let mut g = IdGenerator::new();
    let id = g.user_generate("table");
    p.write(&[entry(1, &Doc::new(id, vec![("field", Val::Id(id))]), None)], &[], false).await?;
    let stats = p.table_size_stats().await?;
    ctx.observe("tables", serde_json::json!(stats.iter().map(|s| s.0.clone()).collect::<Vec<_>>()));
    let (_, data_bytes, index_bytes, _) = stats.iter().find(|s| s.0 == "documents").ok_or("no documents stats")?;
    ensure!(*data_bytes > 0 && *index_bytes > 0, "documents: {data_bytes} data bytes, {index_bytes} index bytes");
    Ok(())
}

/// Convex's own lease tests use the connection's current schema (schema: None).
fn current_schema_options(ctx: &Ctx) -> Options {
    Options { schema: if ctx.multitenant { Some(ctx.schema.clone()) } else { None }, ..ctx.options() }
}

async fn lease_preempt(ctx: &Ctx) -> Res<()> {
    let options = current_schema_options(ctx);
    let p1 = ctx.persistence_with(options.clone()).await?;
    let mut g = IdGenerator::new();
    let doc = Doc::new(g.user_generate("table"), vec![]);
    write_tables(&p1, &mut g).await?;
    // Holding the lease: can write.
    p1.write(&[entry(1, &doc, None)], &[], false).await?;
    // Another persistence takes the lease, and can write.
    let p2 = ctx.persistence_with(options).await?;
    p2.write(&[tombstone(2, doc.id, Some(1))], &[], false).await?;
    // The old one can still read…
    ensure!(!p1.load_all_documents().await?.is_empty(), "old persistence reads nothing");
    // …but not write, and its failed write leaves nothing behind.
    let err = p1.write(&[entry(3, &doc, Some(1))], &[], false).await.err().ok_or("write without the lease succeeded")?;
    ctx.observe("old holder's write", serde_json::json!(err.to_string()));
    ensure!(!p2.load_all_documents().await?.iter().any(|e| e.ts == 3), "a write without the lease was committed");
    Ok(())
}

async fn read_only(ctx: &Ctx) -> Res<()> {
    let options = current_schema_options(ctx);
    let load = |allow_read_only: bool| {
        let options = Options { allow_read_only, ..options.clone() };
        async move { Persistence::new(&ctx.url, options).await.map(|_| ()) }
    };
    load(false).await.map_err(|e| format!("{e:?}"))?;
    // Loading also succeeds with allow_read_only.
    load(true).await.map_err(|e| format!("{e:?}"))?;
    Persistence::set_read_only(&ctx.url, &options, true).await?;
    // Now loading fails…
    ensure!(matches!(load(false).await, Err(ConnectError::ReadOnly)), "read-only persistence loaded");
    // …unless allow_read_only…
    load(true).await.map_err(|e| format!("{e:?}"))?;
    // …until read-only is unset.
    Persistence::set_read_only(&ctx.url, &options, false).await?;
    load(false).await.map_err(|e| format!("{e:?}"))?;
    ctx.observe("read-only round trip", serde_json::json!(true));
    Ok(())
}

/// Beyond Convex's suite, the property its lease relies on: a lease row read `FOR SHARE`
/// inside an open transaction cannot be taken over (the other instance's UPDATE waits) until
/// that transaction ends; then the takeover succeeds and the old holder's next write fails.
async fn lease_for_share_blocks_takeover(ctx: &Ctx) -> Res<()> {
    use std::cell::RefCell;
    let p1 = ctx.persistence().await?;
    let mut g = IdGenerator::new();
    let doc = Doc::new(g.user_generate("table"), vec![]);
    let events = RefCell::new(Vec::<&str>::new());
    let (locked_tx, locked_rx) = tokio::sync::oneshot::channel::<()>();
    let holder = p1.hold_lease(async || {
        let _ = locked_tx.send(());
        // Not an assertion on time: a pause in which a missing lock would let the takeover
        // finish first, which the order of events then shows.
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        events.borrow_mut().push("holder commits");
        Ok(())
    });
    let takeover = async {
        // Only once the holder has the row FOR SHARE.
        locked_rx.await.map_err(|_| "holder never locked the lease")?;
        let p2 = ctx.persistence().await?;
        events.borrow_mut().push("takeover done");
        Res::Ok(p2)
    };
    let (held, p2) = futures_util::future::join(holder, takeover).await;
    held?;
    let p2 = p2?;
    let order = events.borrow().clone();
    ctx.observe("order", serde_json::json!(order));
    check_eq!(order, vec!["holder commits", "takeover done"]);
    p2.write(&[entry(1, &doc, None)], &[], false).await?;
    ensure!(p1.write(&[entry(2, &doc, Some(1))], &[], false).await.is_err(), "old holder wrote after the takeover");
    Ok(())
}

/// Convex's import path: persistence opened with skip_index_creation, documents and indexes
/// loaded with COPY … FROM STDIN BINARY, then finish_loading creates the skipped indexes.
async fn import_documents_and_indexes(ctx: &Ctx) -> Res<()> {
    let p = ctx.persistence_with(Options { skip_index_creation: true, ..ctx.options() }).await?;
    let mut g = IdGenerator::new();
    let mut rng = Rng::new(4);
    let index_id = g.system_generate("_index").id;
    let mut chunks = vec![];
    let mut index_chunks = vec![];
    let mut expected_hits = vec![];
    for c in 0..3 {
        let mut chunk = vec![];
        let mut index_chunk = vec![];
        for i in 0..100 {
            let id = g.user_generate("table");
            // Some rows far larger than the driver's 4 KiB CopyData buffer.
            let payload = rng.bytes_of(if i % 10 == 0 { 20_000 } else { i });
            let ts = 1_800_000_000_000_000_000 + (c * 100 + i) as Ts;
            let value = Doc::new(id, vec![("payload", Val::Bytes(payload.clone())), ("n", Val::Int(i as i64))]);
            let key = index_key(&[Val::Bytes(payload)], id);
            index_chunk.push(IndexUpdate { ts, index_id, key: key.clone(), value: Some(id) });
            expected_hits.push((key, ts, value.clone()));
            chunk.push(LogEntry { ts, id, value: Some(value), prev_ts: if i % 2 == 0 { None } else { Some(-1) } });
        }
        chunks.push(chunk);
        index_chunks.push(index_chunk);
    }
    let documents: Vec<LogEntry> = chunks.concat();
    check_eq!(p.import_documents_batch(chunks).await?, 300);
    check_eq!(p.import_indexes_batch(index_chunks).await?, 300);
    p.finish_loading().await?;
    let loaded = p.load_all_documents().await?;
    ctx.observe_digest("loaded", &loaded);
    check_eq!(loaded, documents);
    expected_hits.sort();
    let hits: Vec<(Vec<u8>, Ts, Doc)> = p.index_scan(index_id, TS_MAX, &Interval::all(), Order::Asc, 1000, Retention::NOOP).await?.into_iter().map(|h| (h.key, h.ts, h.value)).collect();
    check_eq!(hits, expected_hits);
    // finish_loading made documents_pkey: a duplicate write now fails.
    let err = p.write(&documents[..1], &[], false).await.err().ok_or("duplicate accepted after finish_loading")?.to_string();
    ensure!(is_duplicate(&err), "unexpected error: {err}");
    ctx.observe("imported", serde_json::json!({ "documents": 300, "indexes": 300 }));
    Ok(())
}

/// A COPY is one statement: a duplicate key anywhere fails all of it, and an aborted COPY
/// (CopyFail, as the driver sends when the sink is dropped) writes nothing; the connection
/// stays usable after both.
async fn import_atomic(ctx: &Ctx) -> Res<()> {
    let p = ctx.persistence().await?;
    let mut g = IdGenerator::new();
    let documents: Vec<LogEntry> = (0..50).map(|i| doc(g.user_generate("table"), i + 1, Some(i), None)).collect();
    check_eq!(p.import_documents_batch(vec![documents[..10].to_vec()]).await?, 10);
    // Rows 10..50 then a duplicate of row 0: nothing of this COPY may land.
    let mut again = documents[10..].to_vec();
    again.push(documents[0].clone());
    let err = p.import_documents_batch(vec![again]).await.err().ok_or("COPY with a duplicate key succeeded")?.to_string();
    ensure!(is_duplicate(&err), "unexpected error: {err}");
    check_eq!(p.load_all_documents().await?, documents[..10].to_vec());
    // An abandoned COPY: rows written, then the sink dropped without finish.
    p.import_abandoned(&documents[10..]).await?;
    check_eq!(p.load_all_documents().await?, documents[..10].to_vec());
    check_eq!(p.import_documents_batch(vec![documents[10..].to_vec()]).await?, 40);
    check_eq!(p.load_all_documents().await?, documents);
    ctx.observe("atomic", serde_json::json!(true));
    Ok(())
}

// Beyond Convex's suite: three statements of sql.rs its tests never reach.

/// `load_docs_by_ts_page_desc` with the tablet filter (with and without previous revisions).
async fn load_from_table_desc(ctx: &Ctx) -> Res<()> {
    let p = ctx.persistence().await?;
    let mut g = IdGenerator::new();
    let ids: Vec<DocId> = (0..3).map(|_| g.user_generate("table1")).collect();
    let other = g.user_generate("table2");
    let mut log = vec![];
    for (i, id) in ids.iter().enumerate() {
        log.push(doc(*id, 10 + i as Ts, Some(i as i64), None));
        log.push(doc(*id, 20 + i as Ts, Some(10 + i as i64), Some(10 + i as Ts)));
    }
    log.push(doc(other, 15, Some(99), None));
    p.write(&log, &[], false).await?;
    let mut expected: Vec<LogEntry> = log.iter().filter(|e| e.id.table == ids[0].table && e.ts < 22).cloned().collect();
    expected.sort_by(|a, b| (b.ts, b.id).cmp(&(a.ts, a.id)));
    test_load_documents_from_table(ctx, &p, ids[0].table, TsRange::before(22), Order::Desc, expected).await
}

/// `delete_index_chunk`: 17 expired entries are two 8-way deletes and one single.
async fn delete_index_entries_chunked(ctx: &Ctx) -> Res<()> {
    let p = ctx.persistence().await?;
    let mut g = IdGenerator::new();
    let index_id = g.system_generate("_index").id;
    let ids: Vec<DocId> = (0..17).map(|_| g.user_generate("table")).collect();
    let updates: Vec<IndexUpdate> = ids.iter().enumerate().map(|(i, id)| IndexUpdate { ts: i as Ts + 1, index_id, key: index_key(&[Val::Int(i as i64)], *id), value: None }).collect();
    p.write(&[], &updates, false).await?;
    let entries = p.load_index_chunk(None, 100).await?;
    check_eq!(entries.len(), 17);
    let deleted = p.delete_index_entries(entries).await?;
    ctx.observe("deleted", serde_json::json!(deleted));
    check_eq!(deleted, 17);
    check_eq!(p.load_index_chunk(None, 100).await?, vec![]);
    Ok(())
}

/// `exact_rev_chunk`: 20 exact lookups are two 8-branch CTEs and four single queries,
/// pipelined; tombstones and missing revisions answer as in the suite.
async fn previous_revisions_of_documents_chunked(ctx: &Ctx) -> Res<()> {
    let p = ctx.persistence().await?;
    let mut g = IdGenerator::new();
    let ids: Vec<DocId> = (0..20).map(|_| g.user_generate("table")).collect();
    let d = |id: DocId, v: i64| Doc::new(id, vec![("v", Val::Int(v))]);
    let mut log = vec![];
    for (i, id) in ids.iter().enumerate() {
        log.push(entry(1, &d(*id, i as i64), None));
        if i % 4 == 1 {
            log.push(tombstone(2, *id, Some(1)));
        } else {
            log.push(entry(2, &d(*id, 100 + i as i64), Some(1)));
        }
    }
    p.write(&log, &[], false).await?;
    // Every document's revision at 2 asks for its revision at 1; every fifth asks for ts 5,
    // which does not exist.
    let queries: BTreeSet<PrevTsQuery> = ids.iter().enumerate().map(|(i, id)| PrevTsQuery { id: *id, ts: 3, prev_ts: if i % 5 == 0 { 5 } else { 1 } }).collect();
    let results = p.previous_revisions_of_documents(queries.clone(), Retention::NOOP).await?;
    let expected: BTreeMap<PrevTsQuery, LogEntry> = queries.iter().filter(|q| q.prev_ts == 1).map(|q| {
        let i = ids.iter().position(|id| *id == q.id).unwrap();
        (*q, entry(1, &d(q.id, i as i64), None))
    }).collect();
    ctx.observe_digest("results", &results);
    check_eq!(results, expected);
    let at2: BTreeSet<PrevTsQuery> = ids.iter().map(|id| PrevTsQuery { id: *id, ts: 3, prev_ts: 2 }).collect();
    let tombstones = p.previous_revisions_of_documents(at2, Retention::NOOP).await?.values().filter(|e| e.value.is_none()).count();
    check_eq!(tombstones, 5);
    Ok(())
}
