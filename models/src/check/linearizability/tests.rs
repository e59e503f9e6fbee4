//! Small hand-built histories, linearizable and not, with pending ops.

use super::*;
use crate::history::{Entry, OpEntry, OpType, RawEvent, Val};
use crate::name::Name;
use serde_json::{json, Map};

/// A history from `(process, type, f, value)` lines; time = line number.
fn history(lines: &[(u64, &str, &str, Value)]) -> History {
    let entries = lines
        .iter()
        .enumerate()
        .map(|(i, (process, kind, f, value))| {
            let mut op = Map::new();
            op.insert("f".into(), json!(f));
            op.insert("value".into(), value.clone());
            let kind = match *kind {
                "invoke" => OpType::Invoke,
                "ok" => OpType::Ok,
                "fail" => OpType::Fail,
                _ => OpType::Info,
            };
            let time_us = i as u64 * 10;
            let op = OpEntry::from_fields(kind, *process, time_us, Name::from_static(""), op);
            Entry::Op(op.expect("names intern"))
        })
        .collect();
    History {
        nodes: Vec::new(),
        entries,
    }
}

/// `n` concurrent writes of 0..n, then a read of `read`.
fn writes_then_read(n: u64, read: u64) -> Vec<(u64, &'static str, &'static str, Value)> {
    let mut lines = Vec::new();
    for p in 0..n {
        lines.push((p, "invoke", "write", json!(p)));
    }
    for p in 0..n {
        lines.push((p, "ok", "write", json!(p)));
    }
    lines.push((99, "invoke", "read", json!(null)));
    lines.push((99, "ok", "read", json!(read)));
    lines
}

fn word(h: &History, kind: SpecKind, opts: &CheckOptions) -> &'static str {
    check_history(h, kind, opts).word()
}

fn reg(h: &History) -> &'static str {
    word(h, SpecKind::CasRegister, &CheckOptions::default())
}

#[test]
fn sequential_and_concurrent_histories_pass() {
    let h = history(&[
        (0, "invoke", "write", json!(1)),
        (0, "ok", "write", json!(1)),
        (1, "invoke", "read", json!(null)),
        (2, "invoke", "write", json!(2)),
        (1, "ok", "read", json!(2)),
        (2, "ok", "write", json!(2)),
        (1, "invoke", "cas", json!([2, 3])),
        (1, "ok", "cas", json!([2, 3])),
        (0, "invoke", "read", json!(null)),
        (0, "ok", "read", json!(3)),
    ]);
    assert_eq!(reg(&h), "valid");
    assert_eq!(reg(&History::default()), "valid");
}

#[test]
fn stale_read_fails_with_a_window() {
    let h = history(&[
        (0, "invoke", "write", json!(1)),
        (0, "ok", "write", json!(1)),
        (0, "invoke", "write", json!(2)),
        (0, "ok", "write", json!(2)),
        (1, "invoke", "read", json!(null)),
        (1, "ok", "read", json!(1)),
    ]);
    let Analysis::NotLinearizable(failures) =
        analyze(&h, SpecKind::Register, &CheckOptions::default())
    else {
        panic!("a stale read must fail");
    };
    let f = &failures[0];
    assert_eq!(
        f.op,
        OpRef {
            invoke: 4,
            completion: Some(5)
        }
    );
    assert_eq!(f.prefix.len(), 2);
    assert_eq!(f.entries(), vec![2, 3, 4, 5]);
    let Verdict::Invalid { violations } =
        check_history(&h, SpecKind::Register, &Default::default())
    else {
        panic!("invalid");
    };
    assert_eq!(violations[0].time_us, Some(50));
    assert!(
        violations[0].message.contains("process 1 read"),
        "{}",
        violations[0].message
    );
}

#[test]
fn a_read_cannot_see_a_write_invoked_after_it_returned() {
    let h = history(&[
        (1, "invoke", "read", json!(null)),
        (1, "ok", "read", json!(5)),
        (0, "invoke", "write", json!(5)),
        (0, "ok", "write", json!(5)),
    ]);
    assert_eq!(reg(&h), "invalid");
}

#[test]
fn pending_write_may_take_effect_late() {
    let h = history(&[
        (0, "invoke", "write", json!(7)),
        (0, "info", "write", json!(7)),
        (1, "invoke", "read", json!(null)),
        (1, "ok", "read", json!(null)),
        (1, "invoke", "read", json!(null)),
        (1, "ok", "read", json!(7)),
    ]);
    assert_eq!(reg(&h), "valid");
}

#[test]
fn pending_write_may_never_take_effect() {
    let h = history(&[
        (0, "invoke", "write", json!(7)),
        (1, "invoke", "write", json!(8)),
        (1, "ok", "write", json!(8)),
        (1, "invoke", "read", json!(null)),
        (1, "ok", "read", json!(8)),
    ]);
    assert_eq!(reg(&h), "valid");
}

#[test]
fn pending_write_cannot_be_undone() {
    // Once a read saw the pending write's 7, a later read cannot see the old 0.
    let h = history(&[
        (2, "invoke", "write", json!(0)),
        (2, "ok", "write", json!(0)),
        (0, "invoke", "write", json!(7)),
        (1, "invoke", "read", json!(null)),
        (1, "ok", "read", json!(7)),
        (1, "invoke", "read", json!(null)),
        (1, "ok", "read", json!(0)),
    ]);
    assert_eq!(reg(&h), "invalid");
}

#[test]
fn pending_cas_whose_compare_fails_is_harmless() {
    let h = history(&[
        (0, "invoke", "cas", json!([9, 1])),
        (0, "info", "cas", json!([9, 1])),
        (1, "invoke", "read", json!(null)),
        (1, "ok", "read", json!(null)),
    ]);
    assert_eq!(reg(&h), "valid");
}

#[test]
fn fail_semantics_differ() {
    // A cas [1 2] fails while the register holds 1.
    let h = history(&[
        (0, "invoke", "write", json!(1)),
        (0, "ok", "write", json!(1)),
        (1, "invoke", "cas", json!([1, 2])),
        (1, "fail", "cas", json!([1, 2])),
    ]);
    assert_eq!(reg(&h), "valid");
    assert_eq!(
        word(&h, SpecKind::CasRegister, &CheckOptions::porcupine_etcd()),
        "invalid"
    );
    // A failed write did not happen, so reading its value is illegal.
    let w = history(&[
        (0, "invoke", "write", json!(4)),
        (0, "fail", "write", json!(4)),
        (1, "invoke", "read", json!(null)),
        (1, "ok", "read", json!(4)),
    ]);
    assert_eq!(reg(&w), "invalid");
}

#[test]
fn nil_reads_are_exact_or_unknown() {
    let h = history(&[
        (0, "invoke", "write", json!(1)),
        (0, "ok", "write", json!(1)),
        (1, "invoke", "read", json!(null)),
        (1, "ok", "read", json!(null)),
    ]);
    assert_eq!(reg(&h), "invalid");
    assert_eq!(
        word(&h, SpecKind::CasRegister, &CheckOptions::knossos(json!(0))),
        "valid"
    );
}

#[test]
fn keys_are_checked_apart() {
    let mut h = history(&[
        (0, "invoke", "put", json!("a")),
        (1, "invoke", "put", json!("b")),
        (0, "ok", "put", json!("a")),
        (1, "ok", "put", json!("b")),
        (0, "invoke", "get", json!(null)),
        (0, "ok", "get", json!("a")),
        (1, "invoke", "append", json!("c")),
        (1, "ok", "append", json!("c")),
        (1, "invoke", "get", json!(null)),
        (1, "ok", "get", json!("bc")),
    ]);
    for (i, entry) in h.entries.iter_mut().enumerate() {
        if let Entry::Op(op) = entry {
            let key = if [0, 2, 4, 5].contains(&i) { "x" } else { "y" };
            op.key = Val::from(json!(key));
        }
    }
    assert_eq!(word(&h, SpecKind::Kv, &CheckOptions::default()), "valid");
    if let Entry::Op(op) = &mut h.entries[9] {
        op.value = Val::from(json!("cb"));
    }
    let Analysis::NotLinearizable(failures) = analyze(&h, SpecKind::Kv, &Default::default()) else {
        panic!("append order broken");
    };
    assert_eq!(failures[0].key.as_deref(), Some("y"));
}

#[test]
fn mutex_needs_release_between_acquires() {
    let ok = history(&[
        (0, "invoke", "acquire", json!(null)),
        (0, "ok", "acquire", json!(null)),
        (0, "invoke", "release", json!(null)),
        (1, "invoke", "acquire", json!(null)),
        (0, "ok", "release", json!(null)),
        (1, "ok", "acquire", json!(null)),
    ]);
    assert_eq!(word(&ok, SpecKind::Mutex, &Default::default()), "valid");
    let bad = history(&[
        (0, "invoke", "acquire", json!(null)),
        (0, "ok", "acquire", json!(null)),
        (1, "invoke", "acquire", json!(null)),
        (1, "ok", "acquire", json!(null)),
    ]);
    assert_eq!(word(&bad, SpecKind::Mutex, &Default::default()), "invalid");
}

#[test]
fn unknown_ops_and_exhausted_budgets_are_unknown() {
    let h = history(&[(0, "invoke", "frobnicate", json!(1))]);
    assert_eq!(reg(&h), "unknown");
    let cas = history(&[(0, "invoke", "cas", json!([1, 2]))]);
    assert_eq!(
        word(&cas, SpecKind::Register, &Default::default()),
        "unknown"
    );
    let lines = writes_then_read(12, 100);
    let tiny = CheckOptions {
        steps_max: 50,
        ..CheckOptions::default()
    };
    assert_eq!(word(&history(&lines), SpecKind::Register, &tiny), "unknown");
    assert_eq!(
        word(&history(&lines), SpecKind::Register, &Default::default()),
        "invalid"
    );
}

#[test]
fn the_memo_only_prunes() {
    let no_memo = CheckOptions {
        memo_bytes_max: 0,
        ..CheckOptions::default()
    };
    let lines = writes_then_read(5, 100);
    for opts in [&no_memo, &CheckOptions::default()] {
        assert_eq!(word(&history(&lines), SpecKind::Register, opts), "invalid");
    }
    let lines = writes_then_read(5, 3);
    for opts in [&no_memo, &CheckOptions::default()] {
        assert_eq!(word(&history(&lines), SpecKind::Register, opts), "valid");
    }
}

#[test]
fn the_checker_has_its_name() {
    let checker = LinearizabilityChecker::new(SpecKind::Kv);
    let checker: &dyn Checker<RawEvent> = &checker;
    assert_eq!(checker.name(), "linearizable");
    assert_eq!(checker.property(), Property::Always);
    assert_eq!(
        SpecKind::from_name("cas-register"),
        Some(SpecKind::CasRegister)
    );
    let ctx = CheckContext {
        nodes: vec![],
        heal_us: 0,
        end_us: 0,
    };
    let empty = History::<RawEvent>::default();
    assert_eq!(checker.check(&empty, &ctx), Verdict::Valid);
}

#[test]
fn a_write_of_the_current_value_may_still_go_later() {
    // Register holds 1; writes of 2 and 1 race; a later read sees 1: write 2
    // then write 1. Writing 1 first changes nothing then, but is not pure.
    let h = history(&[
        (0, "invoke", "write", json!(1)),
        (0, "ok", "write", json!(1)),
        (1, "invoke", "write", json!(1)),
        (2, "invoke", "write", json!(2)),
        (1, "ok", "write", json!(1)),
        (2, "ok", "write", json!(2)),
        (3, "invoke", "read", json!(null)),
        (3, "ok", "read", json!(1)),
    ]);
    assert_eq!(reg(&h), "valid");
}

#[test]
fn reads_placed_early_do_not_hide_orders() {
    // Two reads race with a write: one sees the old value, one the new.
    let h = history(&[
        (0, "invoke", "write", json!(1)),
        (0, "ok", "write", json!(1)),
        (1, "invoke", "read", json!(null)),
        (2, "invoke", "write", json!(2)),
        (3, "invoke", "read", json!(null)),
        (3, "ok", "read", json!(2)),
        (1, "ok", "read", json!(1)),
        (2, "ok", "write", json!(2)),
        (4, "invoke", "read", json!(null)),
        (4, "ok", "read", json!(1)),
    ]);
    assert_eq!(reg(&h), "invalid");
    let mut ok = h.clone();
    ok.entries.truncate(8);
    assert_eq!(reg(&ok), "valid");
}
