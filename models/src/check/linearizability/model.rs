//! The sequential specifications: what one operation does to the object's
//! state, and whether it could have returned what the history says.
//!
//! An operation is an [`Input`] (what the client asked) and an [`Output`]
//! (what it was told, or [`Output::Unknown`] when it never learned). A
//! [`Spec`] steps a state by one operation and returns `None` when the
//! operation cannot have returned that output from that state.

use serde_json::Value;
use std::collections::BTreeMap;
use std::fmt::Debug;
use std::hash::Hash;
use std::rc::Rc;

/// A register value, cheap to clone, compare and hash.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum Val {
    /// JSON null: no value (an absent key, an unset register).
    Null,
    /// A JSON integer.
    Int(i64),
    /// A JSON string.
    Str(Rc<str>),
    /// Anything else, as its canonical JSON text.
    Other(Rc<str>),
}

impl Val {
    /// The register value a JSON value stands for.
    pub(crate) fn from_json(value: &Value) -> Val {
        match value {
            Value::Null => Val::Null,
            Value::String(s) => Val::Str(Rc::from(s.as_str())),
            Value::Number(n) => n
                .as_i64()
                .map_or_else(|| Val::Other(Rc::from(n.to_string())), Val::Int),
            other => Val::Other(Rc::from(other.to_string())),
        }
    }

    /// `self` with `suffix` appended (null counts as the empty string).
    fn append(&self, suffix: &Val) -> Val {
        let text = |v: &Val| match v {
            Val::Null => String::new(),
            Val::Int(i) => i.to_string(),
            Val::Str(s) | Val::Other(s) => s.to_string(),
        };
        Val::Str(Rc::from(text(self) + &text(suffix)))
    }
}

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
    /// True when the operation cannot change the state.
    pub(crate) fn is_read(&self) -> bool {
        matches!(self, Input::Read)
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
}

/// A read/write/compare-and-set/append register (one key of a kv map).
#[derive(Debug, Clone)]
pub(crate) struct RegisterSpec {
    /// The value before any write.
    pub(crate) initial: Val,
}

impl Spec for RegisterSpec {
    type State = Val;

    fn init(&self) -> Val {
        self.initial.clone()
    }

    fn step(&self, state: &Val, input: &Input, output: &Output) -> Option<Val> {
        match (input, output) {
            (Input::Read, Output::Read(v)) => (v == state).then(|| state.clone()),
            (Input::Read, _) => Some(state.clone()),
            (Input::Write(v), _) => Some(v.clone()),
            (Input::Append(v), _) => Some(state.append(v)),
            (Input::Cas(_, _), Output::Unknown) => cas(state, input),
            (Input::Cas(expected, _), Output::CasFailed) => {
                (expected != state).then(|| state.clone())
            }
            (Input::Cas(_, _), _) => cas(state, input),
            _ => None,
        }
    }
}

/// A successful compare-and-set's new state, or `None` if the compare fails.
fn cas(state: &Val, input: &Input) -> Option<Val> {
    match input {
        Input::Cas(expected, new) => (expected == state).then(|| new.clone()),
        _ => None,
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
}

/// Named registers read and written by atomic transactions (Knossos's
/// multi-register); every register starts at `initial`.
#[derive(Debug, Clone)]
pub(crate) struct MultiRegisterSpec {
    /// Every register's value before any write.
    pub(crate) initial: Val,
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
                    next.insert(micro.key.clone(), v.clone());
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
}

#[cfg(test)]
mod tests {
    use super::*;

    fn int(i: i64) -> Val {
        Val::Int(i)
    }

    #[test]
    fn register_reads_what_was_written() {
        let spec = RegisterSpec { initial: Val::Null };
        let s = spec.step(&spec.init(), &Input::Write(int(3)), &Output::Done);
        assert_eq!(s, Some(int(3)));
        assert!(spec
            .step(&int(3), &Input::Read, &Output::Read(int(3)))
            .is_some());
        assert!(spec
            .step(&int(3), &Input::Read, &Output::Read(int(4)))
            .is_none());
        assert!(spec
            .step(&int(3), &Input::Read, &Output::Read(Val::Null))
            .is_none());
    }

    #[test]
    fn cas_outcomes() {
        let spec = RegisterSpec { initial: int(0) };
        let op = Input::Cas(int(0), int(5));
        assert_eq!(spec.step(&int(0), &op, &Output::Done), Some(int(5)));
        assert_eq!(spec.step(&int(1), &op, &Output::Done), None);
        assert_eq!(spec.step(&int(1), &op, &Output::CasFailed), Some(int(1)));
        assert_eq!(spec.step(&int(0), &op, &Output::CasFailed), None);
        assert_eq!(spec.step(&int(1), &op, &Output::Unknown), None);
    }

    #[test]
    fn append_concatenates_strings() {
        let spec = RegisterSpec {
            initial: Val::Str(Rc::from("")),
        };
        let s = spec.step(
            &spec.init(),
            &Input::Append(Val::Str(Rc::from("ab"))),
            &Output::Done,
        );
        assert_eq!(s, Some(Val::Str(Rc::from("ab"))));
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
        let spec = MultiRegisterSpec { initial: int(0) };
        let micro = |write, key: &str, val| Micro {
            write,
            key: Rc::from(key),
            val,
        };
        let txn = Input::Txn(vec![
            micro(false, "x", Some(int(0))),
            micro(true, "x", Some(int(2))),
            micro(false, "x", Some(int(2))),
            micro(false, "y", None),
        ]);
        let s = spec.step(&spec.init(), &txn, &Output::Done);
        assert_eq!(s.and_then(|s| s.get("x").cloned()), Some(int(2)));
        let bad = Input::Txn(vec![micro(false, "y", Some(int(1)))]);
        assert!(spec.step(&spec.init(), &bad, &Output::Done).is_none());
    }
}
