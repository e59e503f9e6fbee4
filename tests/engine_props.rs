//! Property tests of the engine itself (proptest): for any schedule or
//! history proptest draws, what the engine and the checkers promise holds.

mod support;

use faultline_models::check::linearizability::{check_history, CheckOptions, SpecKind};
use faultline_models::{Entry, History, OpEntry, OpType};
use proptest::prelude::*;
use serde_json::{json, Map, Value};
use support::{events, run_probe};

const NODES: [&str; 3] = ["n1", "n2", "n3"];
const HEAL_US: u64 = 500_000;

fn base(extra: &str) -> String {
    format!(
        "[protocol]\nname = \"probe\"\nnodes = 3\n[network]\nlatency = {{ dist = \"uniform\", min_ms = 1, max_ms = 12 }}\n[run]\nduration_ms = 500\nconverge_ms = 50\n{extra}"
    )
}

/// A one-way fault: (from, to, at_ms, for_ms) with disjoint non-empty sides.
fn one_way() -> impl Strategy<Value = (Vec<usize>, Vec<usize>, u64, u64)> {
    (1u8..7, 0u8..7, 0u64..450, 1u64..200).prop_filter_map(
        "sides must be disjoint and non-empty",
        |(f, t, at, len)| {
            let to = t & !f;
            let side = |m: u8| (0..3).filter(|i| m & (1 << i) != 0).collect::<Vec<usize>>();
            (to != 0).then(|| (side(f), side(to), at, len))
        },
    )
}

fn names(ids: &[usize]) -> String {
    let quoted: Vec<String> = ids.iter().map(|&i| format!("{:?}", NODES[i])).collect();
    quoted.join(", ")
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 48,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    /// For any schedule of one-way partitions (overlapping ones included),
    /// no message crosses a blocked direction while the block lasts, even
    /// one already in flight when it began.
    #[test]
    fn a_one_way_partition_never_delivers_in_the_blocked_direction(
        faults in prop::collection::vec(one_way(), 1..5),
        seed in 0u64..1000,
    ) {
        let schedule: String = faults
            .iter()
            .map(|(f, t, at, len)| format!(
                "[[faults]]\nat_ms = {at}\nfor_ms = {len}\nkind = \"one-way\"\nfrom = [{}]\nto = [{}]\n",
                names(f), names(t)))
            .collect();
        let o = run_probe(&base(&schedule), seed);
        let mut checked = 0;
        for (t, to, d) in events(&o, "beat") {
            let from = d["from"].as_u64().unwrap() as usize;
            let to = NODES.iter().position(|n| *n == to).unwrap();
            for (f, dst, at, len) in &faults {
                // Strictly inside: at the very instant a fault starts or
                // ends, events of the same instant may go either side.
                // Heal at 500 ms undoes every fault.
                let inside = t > at * 1000 && t < ((at + len) * 1000).min(HEAL_US);
                prop_assert!(!(inside && f.contains(&from) && dst.contains(&to)),
                    "beat {from}->{to} delivered at {t} us inside a one-way block");
            }
            checked += 1;
        }
        prop_assert!(checked > 100);
    }

    /// For any nemesis settings and seed, a run is the same twice in one
    /// process, and its applied timeline, written back as explicit faults,
    /// replays it: what sweep failure files and the shrinker rely on.
    #[test]
    fn any_nemesis_run_is_deterministic_and_its_timeline_replays_it(
        kinds in prop::sample::subsequence(
            vec!["crash", "pause", "partition", "one-way", "skew", "drift", "loss", "duplicate"], 1..8),
        gap_ms in 10u64..80,
        len_ms in 5u64..120,
        seed in 0u64..1000,
    ) {
        let quoted: Vec<String> = kinds.iter().map(|k| format!("{k:?}")).collect();
        // lose_unsynced only goes with crashes (a contradiction otherwise).
        let lose = if kinds.contains(&"crash") { "lose_unsynced = true\n" } else { "" };
        let nemesis = format!(
            "[nemesis]\nkinds = [{}]\ninterval_ms_min = {gap_ms}\ninterval_ms_max = {}\nduration_ms_min = {len_ms}\nduration_ms_max = {}\n{lose}",
            quoted.join(", "), gap_ms * 2, len_ms * 2);
        let random = run_probe(&base(&nemesis), seed);
        let again = run_probe(&base(&nemesis), seed);
        prop_assert_eq!(&random.trace_hash, &again.trace_hash);
        let schedule = faultline_sim::registry::timeline_toml(&random.timeline);
        let replay = run_probe(&base(&schedule), seed);
        let ev = |o: &faultline_sim::run::RunOutcome| o.history.event_lines();
        prop_assert_eq!(ev(&random), ev(&replay));
    }
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 512,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    /// For any small register history, the linearizability checker says
    /// valid exactly when some order of the ops is legal and respects real
    /// time (found here by brute force).
    #[test]
    fn the_linearizability_checker_agrees_with_brute_force(ops in prop::collection::vec(reg_op(), 1..7)) {
        let history = to_history(&ops);
        let verdict = check_history(&history, SpecKind::Register, &CheckOptions::default());
        let brute = linearizable(&ops);
        prop_assert_eq!(verdict.word(), if brute { "valid" } else { "invalid" }, "{:?}", ops);
    }
}

/// One register op: (process start, length, write?, value, completion).
#[derive(Debug, Clone)]
struct RegOp {
    start: u64,
    len: u64,
    write: bool,
    value: Option<u64>,
    done: OpType,
}

fn reg_op() -> impl Strategy<Value = RegOp> {
    let done = prop::sample::select(vec![
        OpType::Ok,
        OpType::Ok,
        OpType::Ok,
        OpType::Fail,
        OpType::Info,
    ]);
    (
        0u64..20,
        1u64..8,
        any::<bool>(),
        prop::option::weighted(0.85, 1u64..4),
        done,
    )
        .prop_map(|(start, len, write, value, done)| RegOp {
            start,
            len,
            write,
            value: if write {
                Some(value.unwrap_or(1))
            } else {
                value
            },
            done,
        })
}

fn line(kind: OpType, process: u64, time_us: u64, f: &str, value: Value) -> Entry {
    let mut op = Map::new();
    op.insert("f".into(), json!(f));
    op.insert("value".into(), value);
    let f = faultline_models::Name::from_static("");
    Entry::Op(OpEntry::from_fields(kind, process, time_us, f, op).unwrap())
}

/// Each op on its own process; lines in time order (invokes first on ties).
fn to_history(ops: &[RegOp]) -> History {
    let mut lines: Vec<(u64, u8, Entry)> = Vec::new();
    for (p, o) in ops.iter().enumerate() {
        let f = if o.write { "write" } else { "read" };
        let arg = if o.write { json!(o.value) } else { Value::Null };
        lines.push((o.start, 0, line(OpType::Invoke, p as u64, o.start, f, arg)));
        let result = if o.done == OpType::Info {
            Value::Null
        } else {
            json!(o.value)
        };
        lines.push((
            o.start + o.len,
            1,
            line(o.done, p as u64, o.start + o.len, f, result),
        ));
    }
    lines.sort_by_key(|(t, order, _)| (*t, *order));
    let mut h = History::default();
    lines.into_iter().for_each(|(_, _, e)| h.push(e));
    h
}

/// Brute force: ok ops must all be placed, info writes may be, fail ops and
/// info reads are not; an op may go next only if no unplaced ok op finished
/// before it began.
fn linearizable(ops: &[RegOp]) -> bool {
    let live: Vec<&RegOp> = ops
        .iter()
        .filter(|o| o.done == OpType::Ok || (o.done == OpType::Info && o.write))
        .collect();
    search(&live, &mut vec![false; live.len()], None)
}

fn search(ops: &[&RegOp], placed: &mut Vec<bool>, state: Option<u64>) -> bool {
    let open = |i: usize, placed: &[bool]| !placed[i] && ops[i].done == OpType::Ok;
    if (0..ops.len()).all(|i| !open(i, placed)) {
        return true;
    }
    for i in 0..ops.len() {
        if placed[i] {
            continue;
        }
        let blocked = (0..ops.len())
            .any(|j| j != i && open(j, placed) && ops[j].start + ops[j].len < ops[i].start);
        let o = ops[i];
        if blocked || (!o.write && o.value != state) {
            continue;
        }
        placed[i] = true;
        let next = if o.write { o.value } else { state };
        if search(ops, placed, next) {
            return true;
        }
        placed[i] = false;
    }
    false
}
