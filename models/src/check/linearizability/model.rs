//! The sequential specifications: what one operation does to the object's
//! state, and whether it could have returned what the history says.
//!
//! An operation is an [`Input`] (what the client asked) and an [`Output`]
//! (what it was told, or [`Output::Unknown`] when it never learned). A
//! [`Spec`] steps a state by one operation and returns `None` when the
//! operation cannot have returned that output from that state.

pub(crate) use super::values::{Val, Values};
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::fmt::Debug;
use std::hash::Hash;
use std::rc::Rc;

/// One micro-operation of a multi-register transaction.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Micro {
    /// True for a write, false for a read.
    pub(crate) write: bool,
    /// The register it touches.
    pub(crate) key: Rc<str>,
    /// The value written, or the value read (`None`: the read's result is unknown).
    pub(crate) val: Option<Val>,
}

/// What the client asked for.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Input {
    /// Read the register.
    Read,
    /// Set the register.
    Write(Val),
    /// Set the register to the second value iff it holds the first.
    Cas(Val, Val),
    /// Append to the register's (string) value.
    Append(Val),
    /// Take the mutex.
    Acquire,
    /// Give the mutex back.
    Release,
    /// Apply the micro-operations in order, atomically.
    Txn(Vec<Micro>),
}

impl Input {
    /// True for a plain read.
    pub(crate) fn is_read(&self) -> bool {
        matches!(self, Input::Read)
    }

    /// True when the op, answered `output`, leaves every state it is legal
    /// in as it was: reads, failed compare-and-sets, read-only transactions.
    /// (A write of the value already held changes nothing here but would
    /// elsewhere: it is not pure.)
    pub(crate) fn is_pure(&self, output: &Output) -> bool {
        match self {
            Input::Read => true,
            Input::Cas(..) => *output == Output::CasFailed,
            Input::Txn(micros) => micros.iter().all(|m| !m.write),
            _ => false,
        }
    }
}

/// What the client was told.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Output {
    /// Nothing: the operation is pending, or its result was not recorded.
    Unknown,
    /// It took effect as asked (reads: see [`Output::Read`]).
    Done,
    /// A read returned this value.
    Read(Val),
    /// A compare-and-set ran and its compare failed.
    CasFailed,
}

/// A sequential specification.
pub(crate) trait Spec {
    /// The object's state; the search caches (linearized set, state) pairs.
    type State: Clone + Eq + Hash + Debug;
    /// The state before any operation.
    fn init(&self) -> Self::State;
    /// The state after `input` returned `output` from `state`, or `None`
    /// when that cannot happen.
    fn step(&self, state: &Self::State, input: &Input, output: &Output) -> Option<Self::State>;
    /// The state as text, for reports.
    fn show(&self, state: &Self::State) -> String;
}

/// A read/write/compare-and-set/append register (one key of a kv map).
#[derive(Debug)]
pub(crate) struct RegisterSpec {
    /// The value before any write.
    pub(crate) initial: Val,
    /// The value table; appends add to it.
    pub(crate) values: RefCell<Values>,
}

impl Spec for RegisterSpec {
    type State = Val;

    fn init(&self) -> Val {
        self.initial
    }

    fn step(&self, state: &Val, input: &Input, output: &Output) -> Option<Val> {
        match (input, output) {
            (Input::Read, Output::Read(v)) => (v == state).then_some(*state),
            (Input::Read, _) => Some(*state),
            (Input::Write(v), _) => Some(*v),
            (Input::Append(v), _) => Some(self.values.borrow_mut().append(*state, *v)),
            (Input::Cas(expected, _), Output::CasFailed) => (expected != state).then_some(*state),
            (Input::Cas(expected, new), _) => (expected == state).then_some(*new),
            _ => None,
        }
    }

    fn show(&self, state: &Val) -> String {
        self.values.borrow().show(*state)
    }
}

/// A mutex: acquire needs it free, release needs it held.
#[derive(Debug, Clone)]
pub(crate) struct MutexSpec;

impl Spec for MutexSpec {
    /// True while held.
    type State = bool;

    fn init(&self) -> bool {
        false
    }

    fn step(&self, held: &bool, input: &Input, _output: &Output) -> Option<bool> {
        match input {
            Input::Acquire => (!held).then_some(true),
            Input::Release => held.then_some(false),
            _ => None,
        }
    }

    fn show(&self, held: &bool) -> String {
        if *held { "held" } else { "free" }.to_string()
    }
}

/// Named registers read and written by atomic transactions (Knossos's
/// multi-register); every register starts at `initial`.
#[derive(Debug)]
pub(crate) struct MultiRegisterSpec {
    /// Every register's value before any write.
    pub(crate) initial: Val,
    /// The value table, for reports.
    pub(crate) values: Values,
}

impl Spec for MultiRegisterSpec {
    /// Registers that were written; the rest hold `initial`.
    type State = BTreeMap<Rc<str>, Val>;

    fn init(&self) -> Self::State {
        BTreeMap::new()
    }

    fn step(&self, state: &Self::State, input: &Input, _output: &Output) -> Option<Self::State> {
        let Input::Txn(micros) = input else {
            return None;
        };
        let mut next = state.clone();
        for micro in micros {
            match (&micro.val, micro.write) {
                (Some(v), true) => {
                    next.insert(micro.key.clone(), *v);
                }
                (Some(v), false) => {
                    if next.get(&micro.key).unwrap_or(&self.initial) != v {
                        return None;
                    }
                }
                (None, _) => {}
            }
        }
        Some(next)
    }

    fn show(&self, state: &Self::State) -> String {
        let regs: Vec<String> = state
            .iter()
            .map(|(k, v)| format!("{k}: {}", self.values.show(*v)))
            .collect();
        format!(
            "{{{}}} (others {})",
            regs.join(", "),
            self.values.show(self.initial)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// A register starting at null, and the ids of 0..=5.
    fn register() -> (RegisterSpec, Vec<Val>) {
        let mut values = Values::default();
        let ints = (0..=5).map(|i| values.json(&json!(i))).collect();
        let spec = RegisterSpec {
            initial: Val::NULL,
            values: RefCell::new(values),
        };
        (spec, ints)
    }

    #[test]
    fn register_reads_what_was_written() {
        let (spec, v) = register();
        let s = spec.step(&spec.init(), &Input::Write(v[3]), &Output::Done);
        assert_eq!(s, Some(v[3]));
        assert!(spec
            .step(&v[3], &Input::Read, &Output::Read(v[3]))
            .is_some());
        assert!(spec
            .step(&v[3], &Input::Read, &Output::Read(v[4]))
            .is_none());
        assert!(spec
            .step(&v[3], &Input::Read, &Output::Read(Val::NULL))
            .is_none());
        assert_eq!(spec.show(&v[3]), "3");
    }

    #[test]
    fn cas_outcomes() {
        let (spec, v) = register();
        let op = Input::Cas(v[0], v[5]);
        assert_eq!(spec.step(&v[0], &op, &Output::Done), Some(v[5]));
        assert_eq!(spec.step(&v[1], &op, &Output::Done), None);
        assert_eq!(spec.step(&v[1], &op, &Output::CasFailed), Some(v[1]));
        assert_eq!(spec.step(&v[0], &op, &Output::CasFailed), None);
        assert_eq!(spec.step(&v[1], &op, &Output::Unknown), None);
    }

    #[test]
    fn append_concatenates_strings() {
        let mut values = Values::default();
        let (empty, ab) = (values.json(&json!("")), values.json(&json!("ab")));
        let (a, b) = (values.json(&json!("a")), values.json(&json!("b")));
        let spec = RegisterSpec {
            initial: empty,
            values: RefCell::new(values),
        };
        let s = spec.step(&spec.init(), &Input::Append(a), &Output::Done);
        let s = s.and_then(|s| spec.step(&s, &Input::Append(b), &Output::Done));
        assert_eq!(s, Some(ab));
    }

    #[test]
    fn mutex_alternates() {
        assert_eq!(
            MutexSpec.step(&false, &Input::Acquire, &Output::Done),
            Some(true)
        );
        assert_eq!(MutexSpec.step(&true, &Input::Acquire, &Output::Done), None);
        assert_eq!(MutexSpec.step(&false, &Input::Release, &Output::Done), None);
    }

    #[test]
    fn txn_reads_see_earlier_writes() {
        let mut values = Values::default();
        let (zero, one, two) = (
            values.json(&json!(0)),
            values.json(&json!(1)),
            values.json(&json!(2)),
        );
        let spec = MultiRegisterSpec {
            initial: zero,
            values,
        };
        let micro = |write, key: &str, val| Micro {
            write,
            key: Rc::from(key),
            val,
        };
        let txn = Input::Txn(vec![
            micro(false, "x", Some(zero)),
            micro(true, "x", Some(two)),
            micro(false, "x", Some(two)),
            micro(false, "y", None),
        ]);
        let s = spec.step(&spec.init(), &txn, &Output::Done);
        assert_eq!(s.as_ref().and_then(|s| s.get("x").copied()), Some(two));
        assert_eq!(
            s.map(|s| spec.show(&s)).as_deref(),
            Some("{x: 2} (others 0)")
        );
        let bad = Input::Txn(vec![micro(false, "y", Some(one))]);
        assert!(spec.step(&spec.init(), &bad, &Output::Done).is_none());
    }
}
