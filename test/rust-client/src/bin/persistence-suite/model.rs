//! The slice of Convex's data model the persistence suite needs: ids, documents serialised to
//! JSON bytes, order-preserving index keys, key intervals, timestamp ranges, a test id
//! generator and retention validators. Shapes follow `crates/common` and `crates/value`;
//! the byte encodings are our own (the suite only needs them exact and order-preserving).

use std::fmt;

pub type Res<T> = Result<T, Box<dyn std::error::Error>>;

macro_rules! ensure {
    ($cond:expr, $($arg:tt)+) => {
        if !$cond {
            return Err(format!($($arg)+).into());
        }
    };
}
pub(crate) use ensure;

/// Nanoseconds; Convex's `Timestamp::MIN` and `MAX`.
pub type Ts = i64;
pub const TS_MIN: Ts = 0;
pub const TS_MAX: Ts = i64::MAX;

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct InternalId(pub [u8; 16]);

impl InternalId {
    pub const BEFORE_ALL_BYTES: &'static [u8] = &[];
    pub const AFTER_ALL_BYTES: &'static [u8] = &[u8::MAX; 18];

    pub fn from_slice(bytes: &[u8]) -> Res<Self> {
        let array: [u8; 16] = bytes.try_into().map_err(|_| format!("id of {} bytes", bytes.len()))?;
        Ok(Self(array))
    }
}

impl fmt::Debug for InternalId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", hex(&self.0))
    }
}

pub type TabletId = InternalId;

/// `InternalDocumentId`: the tablet and the id within it.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub struct DocId {
    pub table: TabletId,
    pub id: InternalId,
}

/// A value inside a document.
#[derive(Clone, Debug)]
pub enum Val {
    Null,
    Int(i64),
    Float(f64),
    Bool(bool),
    Str(String),
    Bytes(Vec<u8>),
    Array(Vec<Val>),
    Object(Vec<(String, Val)>),
    Id(DocId),
}

/// A document (`ResolvedDocument`) as persistence stores it: its id and its JSON bytes.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Doc {
    pub id: DocId,
    pub json: Vec<u8>,
}

impl fmt::Debug for Doc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = String::from_utf8_lossy(&self.json);
        let shown: String = text.chars().take(80).collect();
        write!(f, "Doc({:?}, {} bytes: {shown})", self.id, self.json.len())
    }
}

impl Doc {
    /// `ResolvedDocument::new(id, CreationTime::ONE, fields)`.
    pub fn new(id: DocId, fields: Vec<(&str, Val)>) -> Doc {
        let mut object = vec![("_creationTime".to_string(), Val::Float(1.0)), ("_id".to_string(), Val::Id(id))];
        object.extend(fields.into_iter().map(|(k, v)| (k.to_string(), v)));
        let mut json = String::new();
        write_json(&Val::Object(object), &mut json);
        Doc { id, json: json.into_bytes() }
    }
}

/// Convex's JSON export form: int64, bytes and non-finite or negative-zero floats are tagged
/// objects, base64 inside.
fn write_json(v: &Val, out: &mut String) {
    match v {
        Val::Null => out.push_str("null"),
        Val::Int(i) => tagged(out, "$integer", &i.to_le_bytes()),
        Val::Float(f) if f.is_finite() && !(*f == 0.0 && f.is_sign_negative()) => out.push_str(&serde_json::to_string(f).unwrap()),
        Val::Float(f) => tagged(out, "$float", &f.to_le_bytes()),
        Val::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Val::Str(s) => out.push_str(&serde_json::to_string(s).unwrap()),
        Val::Bytes(b) => tagged(out, "$bytes", b),
        Val::Id(id) => out.push_str(&format!("\"{}{}\"", hex(&id.table.0), hex(&id.id.0))),
        Val::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_json(item, out);
            }
            out.push(']');
        },
        Val::Object(fields) => {
            out.push('{');
            for (i, (k, item)) in fields.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&serde_json::to_string(k).unwrap());
                out.push(':');
                write_json(item, out);
            }
            out.push('}');
        },
    }
}

fn tagged(out: &mut String, tag: &str, bytes: &[u8]) {
    out.push_str(&format!("{{\"{tag}\":\""));
    base64(bytes, out);
    out.push_str("\"}");
}

fn base64(bytes: &[u8], out: &mut String) {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    out.reserve(bytes.len() / 3 * 4 + 4);
    for chunk in bytes.chunks(3) {
        let n = (chunk[0] as u32) << 16 | (*chunk.get(1).unwrap_or(&0) as u32) << 8 | *chunk.get(2).unwrap_or(&0) as u32;
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A row of the document log (`DocumentLogEntry`).
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct LogEntry {
    pub ts: Ts,
    pub id: DocId,
    pub value: Option<Doc>,
    pub prev_ts: Option<Ts>,
}

/// The persistence suite's `doc(id, ts, val, prev_ts)` helper.
pub fn doc(id: DocId, ts: Ts, val: Option<i64>, prev_ts: Option<Ts>) -> LogEntry {
    LogEntry { ts, id, value: val.map(|v| Doc::new(id, vec![("value", Val::Int(v))])), prev_ts }
}

/// `PersistenceIndexEntry`: an index key at a timestamp, pointing at a document or deleted.
#[derive(Clone, Debug)]
pub struct IndexUpdate {
    pub ts: Ts,
    pub index_id: InternalId,
    pub key: Vec<u8>,
    pub value: Option<DocId>,
}

/// `IndexEntry`, ordered as Convex orders it (the `indexes` primary-key order).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct IndexEntry {
    pub index_id: InternalId,
    pub key_prefix: Vec<u8>,
    pub key_sha256: Vec<u8>,
    pub ts: Ts,
    pub key_suffix: Option<Vec<u8>>,
    pub deleted: bool,
}

/// `LatestDocument` as an index scan yields it, with its key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IndexHit {
    pub key: Vec<u8>,
    pub ts: Ts,
    pub value: Doc,
    pub prev_ts: Option<Ts>,
}

/// An encoded `IndexKey`: each value order-preservingly, then the document id. Prefix-free,
/// so a key is never a prefix of another and byte order is key order.
pub fn index_key(values: &[Val], id: DocId) -> Vec<u8> {
    let mut out = Vec::new();
    for v in values {
        match v {
            Val::Null => out.push(0x01),
            Val::Int(i) => {
                out.push(0x10);
                out.extend(((*i as u64) ^ (1 << 63)).to_be_bytes());
            },
            Val::Bytes(b) => {
                out.push(0x20);
                for &byte in b {
                    out.push(byte);
                    if byte == 0 {
                        out.push(0xff);
                    }
                }
                out.extend([0, 0]);
            },
            other => panic!("index_key: unsupported value {other:?}"),
        }
    }
    out.push(0x30);
    out.extend(id.table.0);
    out.extend(id.id.0);
    out
}

pub const MAX_INDEX_KEY_PREFIX_LEN: usize = 2500;

/// `SplitKey`: the first 2500 bytes and the rest, if any.
pub fn split_key(key: &[u8]) -> (Vec<u8>, Option<Vec<u8>>) {
    if key.len() > MAX_INDEX_KEY_PREFIX_LEN {
        (key[..MAX_INDEX_KEY_PREFIX_LEN].to_vec(), Some(key[MAX_INDEX_KEY_PREFIX_LEN..].to_vec()))
    } else {
        (key.to_vec(), None)
    }
}

/// An interval of keys: `[start, end)`, `end` unbounded when None.
#[derive(Clone, Debug)]
pub struct Interval {
    pub start: Vec<u8>,
    pub end: Option<Vec<u8>>,
}

impl Interval {
    pub fn all() -> Self {
        Interval { start: vec![], end: None }
    }

    /// `[key, key + [0])`.
    pub fn singleton(key: Vec<u8>) -> Self {
        let mut end = key.clone();
        end.push(0);
        Interval { start: key, end: Some(end) }
    }

    /// `StartIncluded(start)` to `End::after_prefix(prefix)`.
    pub fn to_after_prefix(start: Vec<u8>, prefix: &[u8]) -> Self {
        Interval { start, end: increment(prefix) }
    }

    pub fn contains(&self, key: &[u8]) -> bool {
        self.start.as_slice() <= key && self.end.as_ref().map_or(true, |end| key < end.as_slice())
    }
}

/// `BinaryKey::increment`: the smallest key after every key with this prefix.
fn increment(key: &[u8]) -> Option<Vec<u8>> {
    let mut out = key.to_vec();
    while let Some(byte) = out.last_mut() {
        if *byte < 255 {
            *byte += 1;
            return Some(out);
        }
        out.pop();
    }
    None
}

/// `TimestampRange`: inclusive bounds.
#[derive(Clone, Copy, Debug)]
pub struct TsRange {
    pub start_inclusive: Ts,
    pub end_inclusive: Ts,
}

impl TsRange {
    pub fn all() -> Self {
        TsRange { start_inclusive: TS_MIN, end_inclusive: TS_MAX }
    }

    pub fn from(ts: Ts) -> Self {
        TsRange { start_inclusive: ts, end_inclusive: TS_MAX }
    }

    /// `..end` (exclusive).
    pub fn before(end: Ts) -> Self {
        TsRange { start_inclusive: TS_MIN, end_inclusive: end - 1 }
    }

    pub fn at(ts: Ts) -> Self {
        TsRange { start_inclusive: ts, end_inclusive: ts }
    }

    pub fn max_timestamp_exclusive(&self) -> Ts {
        if self.end_inclusive >= TS_MAX {
            TS_MAX
        } else {
            self.end_inclusive + 1
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Order {
    Asc,
    Desc,
}

/// A retention validator: the no-op one, or the suite's fake with minimum snapshots.
#[derive(Clone, Copy, Debug)]
pub struct Retention {
    pub min_index_ts: Ts,
    pub min_document_ts: Ts,
}

impl Retention {
    pub const NOOP: Retention = Retention { min_index_ts: TS_MIN, min_document_ts: TS_MIN };

    pub fn fake(min_index_ts: Ts, min_document_ts: Ts) -> Self {
        Retention { min_index_ts, min_document_ts }
    }

    pub fn validate_snapshot(&self, ts: Ts) -> Res<()> {
        ensure!(ts >= self.min_index_ts, "snapshot {ts} is outside index retention (min {})", self.min_index_ts);
        Ok(())
    }

    pub fn validate_document_snapshot(&self, ts: Ts) -> Res<()> {
        ensure!(ts >= self.min_document_ts, "snapshot {ts} is outside document retention (min {})", self.min_document_ts);
        Ok(())
    }
}

/// `TestIdGenerator`: incrementing ids; every user table also registers `_tables` and `_index`.
pub struct IdGenerator {
    curr: u32,
    /// (tablet, name, system?)
    pub tables: Vec<(TabletId, String, bool)>,
}

impl IdGenerator {
    pub fn new() -> Self {
        IdGenerator { curr: 0, tables: vec![] }
    }

    pub fn generate_internal(&mut self) -> InternalId {
        let mut id = [0u8; 16];
        id[12..].copy_from_slice(&self.curr.to_be_bytes());
        self.curr += 1;
        InternalId(id)
    }

    fn table(&mut self, name: &str, system: bool) -> TabletId {
        if let Some((id, ..)) = self.tables.iter().find(|(_, n, _)| n == name) {
            return *id;
        }
        let id = self.generate_internal();
        self.tables.push((id, name.to_string(), system));
        self.table("_tables", true);
        self.table("_index", true);
        id
    }

    pub fn user_table_id(&mut self, name: &str) -> TabletId {
        self.table(name, false)
    }

    pub fn user_generate(&mut self, table: &str) -> DocId {
        let table = self.user_table_id(table);
        DocId { table, id: self.generate_internal() }
    }

    pub fn system_generate(&mut self, table: &str) -> DocId {
        let table = self.table(table, true);
        DocId { table, id: self.generate_internal() }
    }

    pub fn is_system_tablet(&self, tablet: TabletId) -> bool {
        self.tables.iter().any(|(id, _, system)| *id == tablet && *system)
    }
}

/// A deterministic generator for the suite's arbitrary values (proptest's `generate` in
/// Convex's suite): both endpoints see the same data, so their outputs compare.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        // splitmix64
        self.0 = self.0.wrapping_add(0x9E3779B97F4A7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58476D1CE4E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D049BB133111EB);
        z ^ (z >> 31)
    }

    /// Arbitrary bytes of length 0..100, as proptest's default `Vec<u8>`.
    pub fn bytes(&mut self) -> Vec<u8> {
        let len = (self.next_u64() % 100) as usize;
        self.bytes_of(len)
    }

    pub fn bytes_of(&mut self, len: usize) -> Vec<u8> {
        (0..len).map(|_| self.next_u64() as u8).collect()
    }
}
