//! The results of a run, shaped as `results.json` is written.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::Serialize;

/// One decision: what the scenario expects, what the reference evaluator says, or what the
/// target did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Decision {
    /// The call is (or would be) authorized.
    Allow,
    /// The call is (or would be) refused as access denied.
    Deny,
    /// The answer says nothing about authorization (the target was unreachable, say).
    Error,
}

impl Decision {
    /// Every decision, so that a table can size a column to the longest spelling.
    pub const ALL: [Decision; 3] = [Decision::Allow, Decision::Deny, Decision::Error];

    /// The spelling used in files and tables.
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Allow => "allow",
            Decision::Deny => "deny",
            Decision::Error => "error",
        }
    }
}

/// How a case's three decisions compare.
//
// expected vs reference | reference vs target | verdict
// same                  | same                | conforms
// differ                | same                | policy gap (accepted gap when the scenario
//                       |                     | accepts it with a reason)
// any                   | differ              | divergence
// any                   | target said error   | error
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    /// All three agree.
    Conforms,
    /// The SCPs do not implement the written restriction for this case.
    PolicyGap,
    /// A policy gap the scenario accepts, with a written reason.
    AcceptedGap,
    /// The target and the reference evaluator disagree: a bug in one of them.
    Divergence,
    /// The target gave no decision.
    Error,
}

impl Verdict {
    /// Every verdict, so that a table can size a column to the longest spelling.
    pub const ALL: [Verdict; 5] = [
        Verdict::Conforms,
        Verdict::PolicyGap,
        Verdict::AcceptedGap,
        Verdict::Divergence,
        Verdict::Error,
    ];

    /// Compares the three decisions; `gap_accepted` says whether the scenario accepts this case
    /// as a gap.
    pub fn judge(
        expected: Decision,
        reference: Decision,
        target: Decision,
        gap_accepted: bool,
    ) -> Self {
        if target == Decision::Error {
            return Verdict::Error;
        }
        if reference != target {
            return Verdict::Divergence;
        }
        if expected == reference {
            return Verdict::Conforms;
        }
        if gap_accepted {
            Verdict::AcceptedGap
        } else {
            Verdict::PolicyGap
        }
    }

    /// The spelling used in files and tables.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Conforms => "conforms",
            Verdict::PolicyGap => "policy-gap",
            Verdict::AcceptedGap => "accepted-gap",
            Verdict::Divergence => "divergence",
            Verdict::Error => "error",
        }
    }

    /// Whether this verdict lets the run succeed.
    pub fn is_success(self) -> bool {
        matches!(self, Verdict::Conforms | Verdict::AcceptedGap)
    }
}

/// What was run against.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TargetInfo {
    /// `emulator`, `reference` or `endpoint`.
    pub kind: String,
    /// The emulator's name and version, e.g. `moto 5.2.1`.
    pub version: String,
}

/// The whole run.
#[derive(Debug, Clone, Serialize)]
pub struct RunResults {
    /// The seed every scenario's cases were generated from.
    pub seed: u64,
    /// Whether the run was stopped (Ctrl-C, SIGTERM, SIGHUP) before its end; the operations
    /// that are not [`ScenarioResult::complete`] then ran only some of their cases, or none.
    pub interrupted: bool,
    /// The target.
    pub target: TargetInfo,
    /// One entry per scenario operation.
    pub scenarios: Vec<ScenarioResult>,
}

/// The cases of one operation of one scenario.
#[derive(Debug, Clone, Serialize)]
pub struct ScenarioResult {
    /// The scenario's id.
    pub id: String,
    /// The operation, e.g. `ec2:CreateVolume`.
    pub operation: String,
    /// The written restriction the scenario checks.
    pub restriction: String,
    /// The scenario file, to name it in warnings; `id` identifies the scenario in the file.
    #[serde(skip)]
    pub source_file: PathBuf,
    /// Whether every generated case ran: false for the operations an interruption cut short
    /// or never reached.
    pub complete: bool,
    /// The `when` rules of this operation's accepted gaps that no case needed: among its cases,
    /// none where the written restriction and the reference evaluator differ had this gap as
    /// the first one whose rule matches. Empty unless the operation is
    /// [`complete`](Self::complete), since a case that did not run might have needed any gap.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unneeded_accepted_gaps: Vec<String>,
    /// Every case in generation order.
    pub cases: Vec<CaseResult>,
}

/// One generated call and its three decisions.
#[derive(Debug, Clone, Serialize)]
pub struct CaseResult {
    /// The scenario parameters of the call (absent parameters are left out).
    pub params: BTreeMap<String, serde_json::Value>,
    /// The resource identifiers the call used (generated; redacted in snapshots).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub resources: BTreeMap<String, String>,
    /// What the written restriction says.
    pub expected: Decision,
    /// What the reference evaluator says.
    pub reference: Decision,
    /// What the target did.
    pub target: Decision,
    /// How they compare.
    pub verdict: Verdict,
    /// Why the scenario accepts this gap, when it does.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub accepted_gap_reason: Option<String>,
    /// The target's answer in detail.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_detail: Option<TargetDetail>,
    /// When the reference evaluator denies: each denying SCP statement, or the level where no
    /// SCP allows, so that a reviewer sees which statement a decision rests on.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub reference_denied_by: Vec<String>,
}

/// What the target answered, beyond its decision.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct TargetDetail {
    /// The service's error code, when it answered with an error.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// The failure after authorization, or the reason for an `error` decision.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failure: Option<String>,
    /// The check of the created resource's state after an allowed create.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<StateCheck>,
}

/// The created resource's recorded state compared with what the call asked for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StateCheck {
    /// The attribute read back, e.g. `Encrypted`.
    pub attribute: String,
    /// The value the call asked for.
    pub expected: String,
    /// The value the target recorded.
    pub observed: String,
}

impl StateCheck {
    /// Whether the target recorded what the call asked for.
    pub fn holds(&self) -> bool {
        self.expected == self.observed
    }
}

impl CaseResult {
    /// Whether this case lets the run succeed: an acceptable verdict and, where the created
    /// resource was checked, the state the call asked for.
    pub fn is_success(&self) -> bool {
        let state_holds = self
            .target_detail
            .as_ref()
            .and_then(|detail| detail.state.as_ref())
            .is_none_or(StateCheck::holds);
        self.verdict.is_success() && state_holds
    }
}

/// Counts of verdicts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Tally {
    /// Cases run.
    pub cases: usize,
    /// Cases that conform.
    pub conforms: usize,
    /// Unaccepted policy gaps.
    pub policy_gaps: usize,
    /// Accepted policy gaps.
    pub accepted_gaps: usize,
    /// Divergences.
    pub divergences: usize,
    /// Cases without a target decision.
    pub errors: usize,
    /// Allowed creates whose resulting state differs from what the call asked for.
    pub state_mismatches: usize,
}

impl Tally {
    /// Counts the verdicts of `cases`.
    pub fn of<'a>(cases: impl IntoIterator<Item = &'a CaseResult>) -> Tally {
        let mut tally = Tally::default();
        for case in cases {
            tally.add(case);
        }
        tally
    }

    fn add(&mut self, case: &CaseResult) {
        self.cases += 1;
        match case.verdict {
            Verdict::Conforms => self.conforms += 1,
            Verdict::PolicyGap => self.policy_gaps += 1,
            Verdict::AcceptedGap => self.accepted_gaps += 1,
            Verdict::Divergence => self.divergences += 1,
            Verdict::Error => self.errors += 1,
        }
        let mismatch = case
            .target_detail
            .as_ref()
            .and_then(|detail| detail.state.as_ref())
            .is_some_and(|state| !state.holds());
        if mismatch {
            self.state_mismatches += 1;
        }
    }

    /// Whether every counted case conforms or is an accepted gap, with its state as asked.
    pub fn is_success(&self) -> bool {
        self.policy_gaps == 0
            && self.divergences == 0
            && self.errors == 0
            && self.state_mismatches == 0
    }
}

impl RunResults {
    /// The verdicts of every case of the run.
    pub fn tally(&self) -> Tally {
        Tally::of(self.scenarios.iter().flat_map(|scenario| &scenario.cases))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_verdict_table_holds() {
        use Decision::{Allow, Deny, Error};
        let rows = [
            (Deny, Deny, Deny, false, Verdict::Conforms),
            (Allow, Allow, Allow, false, Verdict::Conforms),
            (Deny, Allow, Allow, false, Verdict::PolicyGap),
            (Allow, Deny, Deny, false, Verdict::PolicyGap),
            (Deny, Allow, Allow, true, Verdict::AcceptedGap),
            (Deny, Deny, Allow, false, Verdict::Divergence),
            (Deny, Allow, Deny, true, Verdict::Divergence),
            (Deny, Deny, Error, false, Verdict::Error),
        ];
        for (expected, reference, target, accepted, verdict) in rows {
            assert_eq!(
                Verdict::judge(expected, reference, target, accepted),
                verdict,
                "{expected:?} {reference:?} {target:?} accepted={accepted}"
            );
        }
    }
}
