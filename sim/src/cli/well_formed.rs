//! Whether a history file can be judged at all: `faultline check` refuses
//! one whose operations contradict each other in order, as no recorder
//! would write them, instead of a verdict on nonsense (a completion before
//! its invoke, a duplicate `ok` and time going backwards all gave VALID,
//! and the same read gave VALID or INVALID by line order).

use faultline_models::{Entry, History, OpType};
use std::collections::BTreeMap;

/// The first entry (its index) that makes the history ill-formed, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Malformed {
    /// 0-based index into the history's entries.
    pub index: usize,
    /// What is wrong, naming the entries involved by index.
    pub message: String,
}

/// What a process last did: its open invoke, or its last completion.
#[derive(Clone, Copy)]
enum Last {
    Invoked(usize),
    Completed(usize),
}

/// Checks that time never goes backwards and that each process alternates
/// invoke, completion, invoke...: no second invoke while one is pending,
/// no completion without a pending invoke.
pub fn check<E>(history: &History<E>) -> Result<(), Malformed> {
    let mut last: BTreeMap<u64, Last> = BTreeMap::new();
    let mut time_us = 0;
    for (index, entry) in history.entries.iter().enumerate() {
        let bad = |message: String| Err(Malformed { index, message });
        if entry.time_us() < time_us {
            return bad(format!(
                "time goes backwards: {} us after {time_us} us",
                entry.time_us()
            ));
        }
        time_us = entry.time_us();
        let Entry::Op(op) = entry else { continue };
        let p = op.process;
        match (op.kind, last.get(&p).copied()) {
            (OpType::Invoke, Some(Last::Invoked(at))) => {
                return bad(format!("process {p} invokes again while its operation invoked at entry {at} is still pending"));
            }
            (OpType::Invoke, _) => {
                last.insert(p, Last::Invoked(index));
            }
            (_, Some(Last::Invoked(_))) => {
                last.insert(p, Last::Completed(index));
            }
            (kind, Some(Last::Completed(at))) => {
                return bad(format!("a second completion ({kind:?}) of process {p}'s operation, already completed at entry {at}"));
            }
            (kind, None) => {
                return bad(format!(
                    "a completion ({kind:?}) of process {p} before any invoke of it"
                ));
            }
        }
    }
    Ok(())
}

/// Whether the history has any client operation to judge.
pub fn has_ops<E>(history: &History<E>) -> bool {
    history.entries.iter().any(|e| matches!(e, Entry::Op(_)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use faultline_models::{Name, OpEntry};

    fn history(ops: &[(OpType, u64, u64)]) -> History {
        let mut h = History::default();
        let f = Name::intern("read").unwrap();
        for &(kind, process, time_us) in ops {
            h.push(Entry::Op(OpEntry::new(kind, process, time_us, f)));
        }
        h
    }

    fn why(ops: &[(OpType, u64, u64)]) -> (usize, String) {
        let e = check(&history(ops)).unwrap_err();
        (e.index, e.message)
    }

    #[test]
    fn each_process_alternates_invoke_and_completion_in_time_order() {
        use OpType::{Info, Invoke, Ok};
        assert_eq!(
            check(&history(&[
                (Invoke, 0, 1),
                (Ok, 0, 2),
                (Invoke, 0, 3),
                (Info, 0, 4)
            ])),
            Result::Ok(())
        );
        assert!(why(&[(Ok, 0, 1)]).1.contains("before any invoke"));
        assert_eq!(why(&[(Invoke, 0, 1), (Invoke, 0, 2)]).0, 1);
        assert!(why(&[(Invoke, 0, 1), (Ok, 0, 2), (Ok, 0, 3)])
            .1
            .contains("second completion"));
        assert!(why(&[(Invoke, 0, 5), (Ok, 0, 4)])
            .1
            .contains("time goes backwards"));
        assert!(!has_ops(&history(&[])));
    }
}
