//! The Wing & Gong / Lowe search, as Porcupine implements it.
//!
//! The history's call and return events sit in one doubly linked list in
//! real-time order. Walking it from the front, the search tries to
//! linearize each call it meets: if the spec allows the op from the current
//! state and the pair (set of linearized ops, new state) has not been seen
//! before, the op's call and return are lifted out of the list, the old
//! state is pushed on a stack, and the walk restarts from the front.
//! Reaching a return means its op had to take effect before then and no
//! order found so far allows it: the search pops the last linearized op,
//! puts it back and tries the next call after it. An empty stack at a
//! return means no order exists. The cache of seen (linearized, state)
//! pairs is Lowe's memoisation: the same set of ops leading to the same
//! state has the same future, so each is explored once.
//!
//! Pending ops return at the end of the list, after every completed op, so
//! they may take effect at any point after their invoke; since they may
//! also never take effect, the search succeeds as soon as every completed
//! op is linearized, and it only tries a pending op where it changes the
//! state (placing it where it is illegal or changes nothing is the same as
//! not placing it at all).
//!
//! Two refinements use pure ops (completed ops that leave every state they
//! are legal in as it was: reads, failed compare-and-sets): placing one
//! wherever it is legal is always safe (any completion that places it
//! later works with it placed now, since it is in the frontier), so
//! after each placement the walk first places every legal pure op of the
//! frontier, never undoes a pure op on its own, and gives up on a
//! configuration at once when placing a pure op leads to one already seen.

use super::cache::Memo;
use super::linearized::Linearized;
use super::model::Spec;
use super::prepare::Op;

/// The most advanced point the search got stuck at.
#[derive(Debug, Clone)]
pub(crate) struct Stuck {
    /// The op whose return was reached without a way to linearize it.
    pub(crate) op: usize,
    /// The ops linearized at that point, in linearization order.
    pub(crate) prefix: Vec<usize>,
    /// The spec's state after the prefix, as Debug text.
    pub(crate) state: String,
}

/// Where a search stands after [`Search::run`].
#[derive(Debug, Clone)]
pub(crate) enum Progress {
    /// Some order of the ops satisfies the spec.
    Linearizable,
    /// None does; where it got furthest.
    Illegal(Stuck),
    /// Not decided yet: run it again.
    Paused,
}

const NIL: usize = usize::MAX;
const HEAD: usize = 0;

/// The call/return events, as a doubly linked list over arrays; node 0 is
/// the head sentinel.
struct List {
    next: Vec<usize>,
    prev: Vec<usize>,
    /// The op of each node.
    op: Vec<usize>,
    /// For a call node, its return node; `NIL` for return nodes.
    ret: Vec<usize>,
    /// Each op's call node.
    call_of: Vec<usize>,
}

impl List {
    /// Orders calls at their invoke, returns at their completion (pending: at the end).
    fn new(ops: &[Op]) -> List {
        let mut events: Vec<(usize, usize, bool)> = Vec::with_capacity(2 * ops.len());
        for (id, op) in ops.iter().enumerate() {
            events.push((op.invoke, id, true));
            events.push((op.completion.unwrap_or(NIL), id, false));
        }
        events.sort_unstable();
        let n = events.len() + 1;
        let mut list = List {
            next: (1..=n).map(|i| if i == n { NIL } else { i }).collect(),
            prev: (0..n).map(|i| i.wrapping_sub(1)).collect(),
            op: vec![NIL; n],
            ret: vec![NIL; n],
            call_of: vec![NIL; ops.len()],
        };
        list.prev[HEAD] = NIL;
        for (k, &(_, id, is_call)) in events.iter().enumerate() {
            list.op[k + 1] = id;
            if is_call {
                list.call_of[id] = k + 1;
            } else {
                list.ret[list.call_of[id]] = k + 1;
            }
        }
        assert!(list.call_of.iter().all(|&c| list.ret[c] != NIL));
        list
    }

    /// Unlinks `node`.
    fn unlink(&mut self, node: usize) {
        let (p, n) = (self.prev[node], self.next[node]);
        self.next[p] = n;
        if n != NIL {
            self.prev[n] = p;
        }
    }

    /// Links `node` back where it was.
    fn relink(&mut self, node: usize) {
        let (p, n) = (self.prev[node], self.next[node]);
        self.next[p] = node;
        if n != NIL {
            self.prev[n] = node;
        }
    }

    /// Takes a call and its return out of the list.
    fn lift(&mut self, call: usize) {
        self.unlink(call);
        self.unlink(self.ret[call]);
    }

    /// Undoes the latest [`List::lift`], which must have been of `call`.
    fn unlift(&mut self, call: usize) {
        self.relink(self.ret[call]);
        self.relink(call);
    }
}

/// One linearized op on the search's stack.
struct Frame<T> {
    /// The op.
    op: usize,
    /// The state before it.
    before: T,
    /// True for a pure op (see [`Input::is_pure`](super::model::Input::is_pure)).
    pure: bool,
}

/// What [`Search::place`] did.
enum Placed {
    /// Linearized the op.
    Yes,
    /// The op cannot go here.
    No,
    /// It could, but that configuration was explored before (and failed).
    Seen,
}

/// One partition's search, resumable: [`Search::run`] takes a step budget.
pub(crate) struct Search<'a, S: Spec> {
    spec: &'a S,
    ops: &'a [Op],
    list: List,
    /// The next node to visit.
    node: usize,
    linearized: Linearized,
    state: S::State,
    /// Linearized ops, in order.
    stack: Vec<Frame<S::State>>,
    /// (linearized, state) pairs already explored.
    seen: Memo<S::State>,
    /// Completed ops not yet linearized.
    remaining: usize,
    /// Per op: completed and pure (see the module doc).
    pure: Vec<bool>,
    /// True while the walk only places pure ops (see the module doc).
    scanning: bool,
    /// Furthest stuck point: (return node, depth) and its record.
    best: Option<((usize, usize), Stuck)>,
}

impl<'a, S: Spec> Search<'a, S> {
    /// A search for a linearization of `ops` under `spec`.
    pub(crate) fn new(spec: &'a S, ops: &'a [Op]) -> Search<'a, S> {
        let list = List::new(ops);
        Search {
            spec,
            ops,
            node: list.next[HEAD],
            list,
            linearized: Linearized::new(ops.len()),
            state: spec.init(),
            stack: Vec::new(),
            seen: Memo::new(),
            remaining: ops.iter().filter(|op| !op.pending()).count(),
            pure: ops
                .iter()
                .map(|op| !op.pending() && op.input.is_pure(&op.output))
                .collect(),
            scanning: true,
            best: None,
        }
    }

    /// Bytes held by the memo.
    pub(crate) fn memo_bytes(&self) -> usize {
        self.seen.bytes()
    }

    /// Empties the memo (see [`CheckOptions::memo_bytes_max`](super::CheckOptions)).
    pub(crate) fn forget(&mut self) {
        self.seen.clear();
    }

    /// Runs at most `steps_max` steps; returns the steps taken and where it stands.
    pub(crate) fn run(&mut self, steps_max: u64) -> (u64, Progress) {
        let mut steps = 0;
        while self.remaining > 0 {
            if steps == steps_max {
                return (steps, Progress::Paused);
            }
            steps += 1;
            let node = self.node;
            assert_ne!(node, NIL, "a completed op's return must stop the walk");
            let next = self.visit(node);
            match next {
                Some(next) => self.node = next,
                None => return (steps, Progress::Illegal(self.stuck())),
            }
        }
        (steps, Progress::Linearizable)
    }
}

impl<S: Spec> Search<'_, S> {
    /// One step of the walk at `node`; returns the next node, or `None`
    /// when no order exists.
    fn visit(&mut self, node: usize) -> Option<usize> {
        let at_return = self.list.ret[node] == NIL;
        match (at_return, self.scanning) {
            (true, true) => {
                self.scanning = false;
                Some(self.list.next[HEAD])
            }
            (true, false) => self.backtrack(node),
            (false, true) => match self.place(node, true) {
                Placed::Yes => Some(self.list.next[HEAD]),
                Placed::No => Some(self.list.next[node]),
                Placed::Seen => self.undo(),
            },
            // Every legal pure op of the frontier was placed by the scan
            // at this configuration: pure ops left here are illegal.
            (false, false) if self.pure[self.list.op[node]] => Some(self.list.next[node]),
            (false, false) => match self.place(node, false) {
                Placed::Yes => {
                    self.scanning = true;
                    Some(self.list.next[HEAD])
                }
                Placed::No | Placed::Seen => Some(self.list.next[node]),
            },
        }
    }

    /// Tries to linearize the op of call `node` now (with `pure_only`, only
    /// if it is completed and leaves the state as it is).
    fn place(&mut self, node: usize, pure_only: bool) -> Placed {
        let id = self.list.op[node];
        let pure = self.pure[id];
        if pure_only && !pure {
            return Placed::No;
        }
        let op = &self.ops[id];
        // A pending op that would change nothing (or is illegal here) is
        // the same as one that never happens: leave it for later, or never.
        let next = match self.spec.step(&self.state, &op.input, &op.output) {
            Some(next) if !op.pending() || next != self.state => next,
            _ => return Placed::No,
        };
        self.linearized.insert(id);
        if !self.seen.insert(self.linearized.key(), &next) {
            self.linearized.remove(id);
            return Placed::Seen;
        }
        let before = std::mem::replace(&mut self.state, next);
        self.stack.push(Frame {
            op: id,
            before,
            pure,
        });
        self.list.lift(node);
        self.remaining -= usize::from(!op.pending());
        Placed::Yes
    }

    /// At return `node`: no order found so far places its op; undoes.
    fn backtrack(&mut self, node: usize) -> Option<usize> {
        self.note_stuck(node);
        self.undo()
    }

    /// Undoes the last linearized op that changed the state (and the pure
    /// ops after it) and returns the node after its call, or `None` when
    /// there is nothing to undo.
    ///
    /// A pure op (one that leaves any state as it is) is never worth
    /// undoing on its own: it was legal where it was placed, and any
    /// completion that places it later also works with it placed there,
    /// since every op that returned before its invoke is already placed.
    fn undo(&mut self) -> Option<usize> {
        self.scanning = false;
        loop {
            let frame = self.stack.pop()?;
            self.state = frame.before;
            self.linearized.remove(frame.op);
            let call = self.list.call_of[frame.op];
            self.list.unlift(call);
            self.remaining += usize::from(!self.ops[frame.op].pending());
            if !frame.pure {
                return Some(self.list.next[call]);
            }
        }
    }

    /// Remembers this dead end if it got further than any before.
    fn note_stuck(&mut self, node: usize) {
        let rank = (node, self.stack.len());
        if self.best.as_ref().is_some_and(|(best, _)| *best >= rank) {
            return;
        }
        let stuck = Stuck {
            op: self.list.op[node],
            prefix: self.stack.iter().map(|f| f.op).collect(),
            state: self.spec.show(&self.state),
        };
        self.best = Some((rank, stuck));
    }

    /// The furthest dead end.
    fn stuck(&self) -> Stuck {
        match &self.best {
            Some((_, stuck)) => stuck.clone(),
            None => panic!("an illegal history has a return where the search got stuck"),
        }
    }
}
