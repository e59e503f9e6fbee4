//! A Raft server, cut down to leader election (Raft §5.2, §5.4.1).
//!
//! State per Figure 2: `current_term` and `voted_for` are persistent and
//! written (fsynced) before the server answers anything that depends on
//! them; here every send goes through [`Server::send`], which flushes them
//! first. The log is static (`Params::log_lengths`, every entry of term one)
//! and only feeds the up-to-date check, so it is derived, not stored.
//! Names follow raft-rs: `become_*` changes role, `step_*` handles a
//! message, `maybe_*` acts only when it should and says whether it did.

use super::event::Event;
use super::layout::{server_name, us, Layout};
use super::msg::Msg;
use super::node::Ctx;
use super::variant::Variant;
use super::work::{Work, TIMER_WORK, TIMER_WRITE};
use crate::node::{NodeId, Outcome, RequestId, TimerId};
use crate::storage::Storage;
use rand::Rng;
use serde_json::json;
use std::collections::BTreeSet;
use std::sync::Arc;

/// Timer: no heartbeat or granted vote for a whole election timeout.
pub const TIMER_ELECTION: TimerId = 1;
/// Timer: a leader's next round of heartbeats.
pub const TIMER_HEARTBEAT: TimerId = 2;
/// Storage key of `current_term`.
pub const KEY_TERM: &str = "term";
/// Storage key of `voted_for` (never written by the forget-vote variant).
pub const KEY_VOTED_FOR: &str = "voted_for";

/// A server's role in its current term.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Follows the leader of its term, if it knows one.
    Follower,
    /// Asks for votes in its term.
    Candidate,
    /// Won its term's election.
    Leader,
}

impl Role {
    /// The label announced with `Ctx::set_role`.
    pub fn label(self) -> &'static str {
        match self {
            Role::Follower => "follower",
            Role::Candidate => "candidate",
            Role::Leader => "leader",
        }
    }
}

/// One Raft server.
#[derive(Debug, Clone)]
pub struct Server {
    id: NodeId,
    layout: Arc<Layout>,
    term: u64,
    voted_for: Option<NodeId>,
    persisted: (u64, Option<NodeId>),
    last_log_index: u64,
    last_log_term: u64,
    role: Role,
    votes: BTreeSet<NodeId>,
    leader: Option<NodeId>,
    known_term: Option<u64>,
    work: Work,
}

impl Server {
    /// Builds server `id`, restoring `current_term` and `voted_for` from `storage`.
    pub fn new(id: NodeId, layout: Arc<Layout>, storage: &Storage) -> Server {
        assert!(layout.is_server(id), "node {id} is not a server");
        let last_log_index = layout.params.log_length(id);
        let last_log_term = u64::from(last_log_index > 0);
        let term = storage.get(KEY_TERM).unwrap_or(last_log_term);
        let voted_for = storage.get::<Option<NodeId>>(KEY_VOTED_FOR).flatten();
        assert!(term >= last_log_term, "term {term} behind own log");
        Server {
            id,
            layout,
            term,
            voted_for,
            persisted: (term, voted_for),
            last_log_index,
            last_log_term,
            role: Role::Follower,
            votes: BTreeSet::new(),
            leader: None,
            known_term: None,
            work: Work::default(),
        }
    }

    /// The current term.
    #[cfg(test)]
    pub fn term(&self) -> u64 {
        self.term
    }

    /// Whom this server voted for in its current term.
    #[cfg(test)]
    pub fn voted_for(&self) -> Option<NodeId> {
        self.voted_for
    }

    /// Starts (or restarts) as a follower.
    pub fn on_start(&mut self, ctx: &mut Ctx<'_>) {
        ctx.set_role(Role::Follower.label());
        self.reset_election_timer(ctx);
        self.work.start(ctx, &self.layout);
    }

    /// Handles a Raft message.
    pub fn on_msg(&mut self, ctx: &mut Ctx<'_>, from: NodeId, msg: Msg) {
        assert!(
            self.layout.is_server(from),
            "raft message from non-server {from}"
        );
        match msg {
            Msg::RequestVote {
                term,
                last_log_index,
                last_log_term,
            } => self.step_request_vote(ctx, from, term, (last_log_term, last_log_index)),
            Msg::VoteResponse { term, granted } => {
                self.step_vote_response(ctx, from, term, granted)
            }
            Msg::Heartbeat { term } => self.step_heartbeat(ctx, from, term),
            Msg::HeartbeatResponse { term } => self.step_heartbeat_response(ctx, term),
            other => panic!("raft server {} got {other:?}", self.id),
        }
        self.sync(ctx);
    }

    /// Handles a timer.
    pub fn on_timer(&mut self, ctx: &mut Ctx<'_>, timer: TimerId) {
        match timer {
            TIMER_ELECTION => self.campaign(ctx),
            TIMER_HEARTBEAT => self.broadcast_heartbeat(ctx),
            TIMER_WORK => {
                let token = (self.role == Role::Leader).then_some(self.term);
                self.work.on_check(ctx, &self.layout, token);
            }
            TIMER_WRITE => self.work.on_write(ctx, &self.layout),
            other => panic!("raft server {} has no timer {other}", self.id),
        }
        self.sync(ctx);
    }

    /// Answers "leader": Ok with the known leader of the current term, else Fail.
    pub fn on_client(&mut self, ctx: &mut Ctx<'_>, req: RequestId) {
        let leader = self.leader.map(server_name);
        let outcome = if leader.is_some() {
            Outcome::Ok
        } else {
            Outcome::Fail
        };
        ctx.reply(
            req,
            outcome,
            &json!({ "leader": leader, "term": self.term }),
        );
    }

    fn become_follower(&mut self, ctx: &mut Ctx<'_>, term: u64, leader: Option<NodeId>) {
        assert!(
            term >= self.term,
            "become_follower({term}) from term {}",
            self.term
        );
        let was = self.role;
        if was == Role::Leader {
            ctx.event(Event::SteppedDown { term: self.term });
            ctx.cancel_timer(TIMER_HEARTBEAT);
        }
        if term > self.term {
            self.term = term;
            self.voted_for = None;
        }
        self.role = Role::Follower;
        self.leader = leader;
        if was != Role::Follower {
            ctx.set_role(Role::Follower.label());
        }
        if was == Role::Leader {
            self.reset_election_timer(ctx); // leaders run no election timer
        }
        if let Some(leader) = leader {
            self.note_leader(ctx, leader);
        }
    }

    fn become_candidate(&mut self, ctx: &mut Ctx<'_>) {
        assert!(
            self.role != Role::Leader,
            "a leader cannot become candidate"
        );
        self.term += 1;
        self.voted_for = Some(self.id);
        self.votes = BTreeSet::from([self.id]);
        self.role = Role::Candidate;
        self.leader = None;
        ctx.set_role(Role::Candidate.label());
        ctx.event(Event::ElectionStarted { term: self.term });
        self.reset_election_timer(ctx);
    }

    fn become_leader(&mut self, ctx: &mut Ctx<'_>) {
        assert_eq!(
            self.role,
            Role::Candidate,
            "only a candidate becomes leader"
        );
        assert!(
            self.votes.len() >= self.layout.quorum(),
            "leader without quorum"
        );
        self.role = Role::Leader;
        self.leader = Some(self.id);
        ctx.set_role(Role::Leader.label());
        ctx.event(Event::BecameLeader { term: self.term });
        self.note_leader(ctx, self.id);
        ctx.cancel_timer(TIMER_ELECTION);
        self.broadcast_heartbeat(ctx);
    }

    fn campaign(&mut self, ctx: &mut Ctx<'_>) {
        self.become_candidate(ctx);
        if self.maybe_become_leader(ctx) {
            return; // a cluster of one
        }
        let msg = Msg::RequestVote {
            term: self.term,
            last_log_index: self.last_log_index,
            last_log_term: self.last_log_term,
        };
        let peers: Vec<NodeId> = self.layout.peers(self.id).collect();
        for peer in peers {
            self.send(ctx, peer, msg.clone());
        }
    }

    fn maybe_become_leader(&mut self, ctx: &mut Ctx<'_>) -> bool {
        let won = self.role == Role::Candidate && self.votes.len() >= self.layout.quorum();
        if won {
            self.become_leader(ctx);
        }
        won
    }

    fn step_request_vote(&mut self, ctx: &mut Ctx<'_>, from: NodeId, term: u64, log: (u64, u64)) {
        if term > self.term {
            self.become_follower(ctx, term, None);
        }
        let granted = self.may_vote(from, term, log);
        if granted {
            self.voted_for = Some(from);
            ctx.event(Event::VoteGranted {
                term,
                candidate: from,
            });
            if self.role != Role::Leader {
                self.reset_election_timer(ctx); // no-term-check leaders vote too
            }
        }
        let reply = Msg::VoteResponse {
            term: self.term,
            granted,
        };
        self.send(ctx, from, reply);
    }

    /// Whether a vote may go to `candidate` of `term` whose log ends at
    /// `(last_log_term, last_log_index)`.
    fn may_vote(&self, candidate: NodeId, term: u64, log: (u64, u64)) -> bool {
        let up_to_date = log >= (self.last_log_term, self.last_log_index);
        if self.layout.variant == Variant::NoTermCheck {
            return up_to_date; // the bug: neither the term nor an earlier vote is checked
        }
        let free = self.voted_for.is_none() || self.voted_for == Some(candidate);
        term == self.term && free && up_to_date
    }

    fn step_vote_response(&mut self, ctx: &mut Ctx<'_>, from: NodeId, term: u64, granted: bool) {
        if term > self.term {
            self.become_follower(ctx, term, None);
            return;
        }
        if self.role != Role::Candidate || term != self.term || !granted {
            return;
        }
        self.votes.insert(from);
        self.maybe_become_leader(ctx);
    }

    fn step_heartbeat(&mut self, ctx: &mut Ctx<'_>, from: NodeId, term: u64) {
        if term >= self.term {
            let clash = self.role == Role::Leader && term == self.term;
            assert!(
                !clash || self.layout.variant.allows_split_brain(),
                "two leaders in term {term}: {} and {}",
                server_name(self.id),
                server_name(from)
            );
            self.become_follower(ctx, term, Some(from));
            self.reset_election_timer(ctx);
        }
        let reply = Msg::HeartbeatResponse { term: self.term };
        self.send(ctx, from, reply);
    }

    fn step_heartbeat_response(&mut self, ctx: &mut Ctx<'_>, term: u64) {
        if term > self.term {
            self.become_follower(ctx, term, None);
        }
    }

    fn broadcast_heartbeat(&mut self, ctx: &mut Ctx<'_>) {
        assert_eq!(self.role, Role::Leader, "only leaders send heartbeats");
        let peers: Vec<NodeId> = self.layout.peers(self.id).collect();
        for peer in peers {
            self.send(ctx, peer, Msg::Heartbeat { term: self.term });
        }
        ctx.set_timer(TIMER_HEARTBEAT, us(self.layout.params.heartbeat_ms));
    }

    /// Records `leader_known` the first time this server learns its term's leader.
    fn note_leader(&mut self, ctx: &mut Ctx<'_>, leader: NodeId) {
        if self.known_term != Some(self.term) {
            self.known_term = Some(self.term);
            let term = self.term;
            ctx.event(Event::LeaderKnown { term, leader });
        }
    }

    fn reset_election_timer(&mut self, ctx: &mut Ctx<'_>) {
        let p = &self.layout.params;
        // The randomization is what breaks split votes (§5.2); fixed-timeout
        // drops it.
        let after_us = if self.layout.variant == Variant::FixedTimeout {
            us(p.election_timeout_ms_min)
        } else {
            ctx.rng
                .gen_range(us(p.election_timeout_ms_min)..us(p.election_timeout_ms_max))
        };
        ctx.set_timer(TIMER_ELECTION, after_us);
    }

    /// Every send flushes the hard state first, so nothing leaves this server
    /// that a crash could make it contradict.
    fn send(&mut self, ctx: &mut Ctx<'_>, to: NodeId, msg: Msg) {
        self.sync(ctx);
        ctx.send(to, msg);
    }

    /// Persists `current_term` and `voted_for` if they changed (forget-vote:
    /// the term only).
    fn sync(&mut self, ctx: &mut Ctx<'_>) {
        let state = (self.term, self.voted_for);
        if state == self.persisted {
            return;
        }
        assert!(self.term >= self.persisted.0, "term went backwards");
        ctx.persist(KEY_TERM, &self.term);
        if self.layout.variant != Variant::ForgetVote {
            ctx.persist(KEY_VOTED_FOR, &self.voted_for);
        }
        self.persisted = state;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::node::{Command, Ctx};
    use crate::raft::params::Params;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    fn layout(variant: Variant) -> Arc<Layout> {
        Arc::new(Layout {
            variant,
            servers: 3,
            params: Params::default(),
        })
    }

    /// Delivers `msg` from n1 to a fresh n2 of `variant` with `storage`.
    fn deliver(
        variant: Variant,
        storage: &mut Storage,
        msg: Msg,
    ) -> (Server, Vec<Command<Msg, Event>>) {
        let mut server = Server::new(1, layout(variant), storage);
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let mut out = Vec::new();
        let mut ctx = Ctx::new(1, 4, 0, &mut rng, storage, &mut out);
        server.on_msg(&mut ctx, 0, msg);
        for c in &out {
            if let Command::Persist { key, value, sync } = c {
                storage.put(key.clone(), value.clone(), *sync);
            }
        }
        (server, out)
    }

    fn vote_request(term: u64) -> Msg {
        Msg::RequestVote {
            term,
            last_log_index: 0,
            last_log_term: 0,
        }
    }

    #[test]
    fn a_vote_is_persisted_before_it_is_sent() {
        let mut storage = Storage::default();
        let (server, out) = deliver(Variant::Correct, &mut storage, vote_request(4));
        assert_eq!((server.term(), server.voted_for()), (4, Some(0)));
        let send = out.iter().position(|c| matches!(c, Command::Send { .. }));
        let persist = out
            .iter()
            .rposition(|c| matches!(c, Command::Persist { sync: true, .. }));
        assert!(persist.expect("persisted") < send.expect("answered"));
        let rebuilt = Server::new(1, layout(Variant::Correct), &storage);
        assert_eq!((rebuilt.term(), rebuilt.voted_for()), (4, Some(0)));
    }

    #[test]
    fn forget_vote_keeps_the_term_but_not_the_vote() {
        let mut storage = Storage::default();
        deliver(Variant::ForgetVote, &mut storage, vote_request(4));
        let rebuilt = Server::new(1, layout(Variant::ForgetVote), &storage);
        assert_eq!((rebuilt.term(), rebuilt.voted_for()), (4, None));
    }

    #[test]
    fn stale_terms_and_second_candidates_are_refused_unless_no_term_check() {
        let granted = |variant, storage: &mut Storage, term| {
            let (_, out) = deliver(variant, storage, vote_request(term));
            out.iter().any(|c| {
                matches!(
                    c,
                    Command::Send {
                        msg: Msg::VoteResponse { granted: true, .. },
                        ..
                    }
                )
            })
        };
        let mut storage = Storage::default();
        storage.put_json(KEY_TERM, &5u64, true);
        storage.put_json(KEY_VOTED_FOR, &Some(2usize), true);
        assert!(
            !granted(Variant::Correct, &mut storage.clone(), 4),
            "stale term"
        );
        assert!(
            !granted(Variant::Correct, &mut storage.clone(), 5),
            "voted for n3"
        );
        assert!(
            granted(Variant::Correct, &mut storage.clone(), 6),
            "a new term"
        );
        assert!(granted(Variant::NoTermCheck, &mut storage.clone(), 5));
    }
}
