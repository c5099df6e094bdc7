//! A scenario: one written restriction, the operations it covers, the parameter values to try
//! and the decision the restriction demands for each case.

mod domain;
mod error;
mod fields;
mod load;
mod rules;

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::PathBuf;
use std::sync::Arc;

use scpcheck_policy::Decision;

pub use domain::ParamDomain;
pub use error::{ScenarioError, ScenarioErrorKind, ScenarioErrors};
pub use load::{load_dir, load_scenario, parse_scenario};

use crate::catalogue::OperationSpec;
use crate::{Params, Rule};

/// One scenario file: a written restriction and how to test it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Scenario {
    /// A unique, lowercase, hyphenated name, e.g. `ec2-launch-encrypted-root-volume`.
    pub id: String,
    /// One line saying what the scenario tests.
    pub description: String,
    /// The restriction as the source document words it.
    pub restriction: Restriction,
    /// The operations the restriction covers, in file order.
    pub operations: Vec<ScenarioOperation>,
    /// The file the scenario was read from.
    pub source_path: PathBuf,
    #[serde(skip)]
    source_text: Arc<str>,
    #[serde(skip)]
    id_span: Range<usize>,
}

impl Scenario {
    /// The scenario file's text exactly as read, e.g. to hash it as evidence.
    pub fn source_text(&self) -> &str {
        &self.source_text
    }
}

/// A restriction quoted from the source document.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Restriction {
    /// The section of the source document, e.g. `EC2 restrictions`.
    pub section: String,
    /// The restriction's text, quoted exactly.
    pub text: String,
}

/// One operation of a scenario: the values to try and the decision the restriction demands.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ScenarioOperation {
    name: String,
    #[serde(skip)]
    spec: &'static OperationSpec,
    params: BTreeMap<String, ParamDomain>,
    deny_when: Rule,
    accepted_gaps: Vec<AcceptedGap>,
}

impl ScenarioOperation {
    /// The operation's name, e.g. `ec2:RunInstances`.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The operation's catalogue entry.
    pub fn spec(&self) -> &'static OperationSpec {
        self.spec
    }

    /// The domain of every parameter a case carries, by name; `transport` is always among them,
    /// with `https` as its only value when the file does not declare it.
    pub fn params(&self) -> &BTreeMap<String, ParamDomain> {
        &self.params
    }

    /// When the written restriction says a call must be denied.
    pub fn deny_when(&self) -> &Rule {
        &self.deny_when
    }

    /// The policy gaps that are known and accepted, in file order.
    pub fn accepted_gaps(&self) -> &[AcceptedGap] {
        &self.accepted_gaps
    }

    /// The decision the written restriction demands for a call with `params`.
    pub fn expected(&self, params: &Params) -> Decision {
        if self.deny_when.matches(params) {
            Decision::Deny
        } else {
            Decision::Allow
        }
    }

    /// The first accepted gap whose rule matches `params`; the caller decides whether the case
    /// is a policy gap at all.
    pub fn accepted_gap(&self, params: &Params) -> Option<&AcceptedGap> {
        self.accepted_gaps
            .iter()
            .find(|gap| gap.when.matches(params))
    }
}

/// A known difference between the written restriction and what the policies do, accepted for
/// the cases its rule matches.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AcceptedGap {
    /// The cases the gap covers.
    pub when: Rule,
    /// Why the gap exists and why it is accepted.
    pub reason: String,
}
