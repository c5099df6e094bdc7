//! The SCPs in force, read from the emulator at start and after every organization change.
//!
//! The cache fails closed: when the organization cannot be read or a policy does not parse,
//! every evaluated request is denied until a later refresh succeeds.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, PoisonError, RwLock};

use scpcheck_policy::{AttachedPolicy, LevelKind, OrgLevel, Organization, Policy};
use tokio::sync::Mutex;

use crate::credentials::Identity;
use crate::emulator::{Emulator, EmulatorError};
use crate::org_fetch::{self, AccountChain, OrgSnapshot, TargetKind};

/// What the gateway knows about the SCPs.
#[derive(Debug, Clone)]
pub(crate) enum ScpState {
    /// There is no organization (or not one with all features), so no SCPs apply.
    NoOrganization,
    /// The organization, as each member account sees it.
    Loaded {
        /// The management account.
        management_account_id: String,
        /// Account id to its path from the root.
        accounts: HashMap<String, Arc<Organization>>,
    },
    /// The SCPs could not be loaded; every evaluated request is denied.
    Broken {
        /// Why, for the log and the evidence.
        reason: String,
    },
}

/// The SCPs that apply to one account.
#[derive(Debug, Clone)]
pub(crate) enum AccountScps {
    /// Evaluate against this organization path (no levels when the account is in none).
    Apply(Arc<Organization>),
    /// The SCPs are unknown: deny.
    Unknown(String),
}

impl ScpState {
    /// Builds the state from what the emulator holds, parsing every policy.
    pub(crate) fn from_snapshot(snapshot: Option<OrgSnapshot>) -> Self {
        let Some(snapshot) = snapshot else {
            return Self::NoOrganization;
        };
        let policies = match parse_policies(&snapshot) {
            Ok(policies) => policies,
            Err(reason) => return Self::Broken { reason },
        };

        let accounts = snapshot
            .accounts
            .iter()
            .map(|chain| {
                let organization =
                    organization_of(chain, &snapshot.management_account_id, &policies);
                (chain.account_id.clone(), Arc::new(organization))
            })
            .collect();
        Self::Loaded {
            management_account_id: snapshot.management_account_id,
            accounts,
        }
    }

    /// The SCPs for a caller in `account_id`.
    pub(crate) fn for_account(&self, account_id: &str) -> AccountScps {
        match self {
            Self::NoOrganization => AccountScps::Apply(Arc::new(no_scps(""))),
            Self::Loaded {
                management_account_id,
                accounts,
            } => match accounts.get(account_id) {
                Some(organization) => AccountScps::Apply(Arc::clone(organization)),
                None => AccountScps::Apply(Arc::new(no_scps(management_account_id))),
            },
            Self::Broken { reason } => AccountScps::Unknown(reason.clone()),
        }
    }
}

/// An organization path with no levels: no SCP applies to an account outside the organization.
fn no_scps(management_account_id: &str) -> Organization {
    Organization {
        management_account_id: management_account_id.to_owned(),
        levels: Vec::new(),
    }
}

/// Parses every attached policy once; the first that fails makes the whole state unknown.
fn parse_policies(snapshot: &OrgSnapshot) -> Result<BTreeMap<String, AttachedPolicy>, String> {
    let names: BTreeMap<&str, &str> = snapshot
        .accounts
        .iter()
        .flat_map(|chain| &chain.levels)
        .flat_map(|level| &level.policies)
        .map(|policy| (policy.id.as_str(), policy.name.as_str()))
        .collect();

    let mut parsed = BTreeMap::new();
    for (id, content) in &snapshot.policy_contents {
        let name = names.get(id.as_str()).copied().unwrap_or(id.as_str());
        let source_name = format!("{name} ({id})");
        let policy = Policy::parse(&source_name, content).map_err(|errors| {
            let problems: Vec<String> = errors.errors().iter().map(ToString::to_string).collect();
            format!("{errors}: {}", problems.join("; "))
        })?;
        parsed.insert(
            id.clone(),
            AttachedPolicy {
                name: name.to_owned(),
                policy: Arc::new(policy),
            },
        );
    }
    Ok(parsed)
}

fn organization_of(
    chain: &AccountChain,
    management_account_id: &str,
    policies: &BTreeMap<String, AttachedPolicy>,
) -> Organization {
    let levels = chain
        .levels
        .iter()
        .map(|level| OrgLevel {
            target_id: level.id.clone(),
            kind: match level.kind {
                TargetKind::Root => LevelKind::Root,
                TargetKind::OrganizationalUnit => LevelKind::OrganizationalUnit,
                TargetKind::Account => LevelKind::Account,
            },
            // Every attached policy was fetched and parsed, so none is missing here.
            policies: level
                .policies
                .iter()
                .filter_map(|policy| policies.get(&policy.id).cloned())
                .collect(),
        })
        .collect();
    Organization {
        management_account_id: management_account_id.to_owned(),
        levels,
    }
}

/// The current SCP state, swapped whole on refresh.
#[derive(Debug)]
pub(crate) struct ScpCache {
    state: RwLock<Arc<ScpState>>,
    refreshing: Mutex<()>,
}

impl ScpCache {
    /// A cache holding `state`.
    pub(crate) fn new(state: ScpState) -> Self {
        Self {
            state: RwLock::new(Arc::new(state)),
            refreshing: Mutex::new(()),
        }
    }

    /// The state in force now.
    pub(crate) fn current(&self) -> Arc<ScpState> {
        let state = self.state.read().unwrap_or_else(PoisonError::into_inner);
        Arc::clone(&state)
    }

    fn replace(&self, state: ScpState) {
        let mut current = self.state.write().unwrap_or_else(PoisonError::into_inner);
        *current = Arc::new(state);
    }

    /// Reads the organization again. Refreshes run one at a time, so the last one to finish
    /// started after the last change it must see.
    pub(crate) async fn refresh(&self, emulator: &Emulator, management: &Identity, region: &str) {
        let _one_at_a_time = self.refreshing.lock().await;
        let state = load(emulator, management, region).await;
        match &state {
            ScpState::Broken { reason } => {
                tracing::error!(%reason, "scps could not be loaded; evaluated requests are denied");
            }
            ScpState::NoOrganization => tracing::debug!("no organization; no scps apply"),
            ScpState::Loaded { accounts, .. } => {
                tracing::debug!(accounts = accounts.len(), "scps loaded");
            }
        }
        self.replace(state);
    }
}

/// Reads the organization; a failure to read it is a broken state, not an error.
pub(crate) async fn load(emulator: &Emulator, management: &Identity, region: &str) -> ScpState {
    match org_fetch::fetch(emulator, management, region).await {
        Ok(snapshot) => ScpState::from_snapshot(snapshot),
        Err(error) => ScpState::Broken {
            reason: describe(&error),
        },
    }
}

fn describe(error: &EmulatorError) -> String {
    let mut text = format!("cannot read the organization from the emulator: {error}");
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text.push_str(&format!(": {cause}"));
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::org_fetch::{PolicyRef, TargetLevel};

    const ALLOW_ALL: &str =
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#;

    fn level(id: &str, kind: TargetKind, policy_ids: &[&str]) -> TargetLevel {
        TargetLevel {
            id: id.to_owned(),
            kind,
            policies: policy_ids
                .iter()
                .map(|id| PolicyRef {
                    id: (*id).to_owned(),
                    name: format!("name-{id}"),
                })
                .collect(),
        }
    }

    fn snapshot(extra_content: &str) -> OrgSnapshot {
        OrgSnapshot {
            management_account_id: "123456789012".to_owned(),
            accounts: vec![AccountChain {
                account_id: "111122223333".to_owned(),
                levels: vec![
                    level("r-1", TargetKind::Root, &["p-all"]),
                    level(
                        "ou-1",
                        TargetKind::OrganizationalUnit,
                        &["p-all", "p-extra"],
                    ),
                    level("111122223333", TargetKind::Account, &["p-all"]),
                ],
            }],
            policy_contents: BTreeMap::from([
                ("p-all".to_owned(), ALLOW_ALL.to_owned()),
                ("p-extra".to_owned(), extra_content.to_owned()),
            ]),
        }
    }

    #[test]
    fn accounts_get_their_path_with_parsed_policies() {
        let state = ScpState::from_snapshot(Some(snapshot(ALLOW_ALL)));
        let AccountScps::Apply(organization) = state.for_account("111122223333") else {
            panic!("expected scps to apply");
        };
        assert_eq!(organization.management_account_id, "123456789012");
        let kinds: Vec<LevelKind> = organization.levels.iter().map(|level| level.kind).collect();
        assert_eq!(
            kinds,
            [
                LevelKind::Root,
                LevelKind::OrganizationalUnit,
                LevelKind::Account
            ]
        );
        let names: Vec<&str> = organization.levels[1]
            .policies
            .iter()
            .map(|policy| policy.name.as_str())
            .collect();
        assert_eq!(names, ["name-p-all", "name-p-extra"]);
    }

    #[test]
    fn accounts_outside_the_organization_have_no_levels() {
        let state = ScpState::from_snapshot(Some(snapshot(ALLOW_ALL)));
        let AccountScps::Apply(organization) = state.for_account("999999999999") else {
            panic!("expected scps to apply");
        };
        assert!(organization.levels.is_empty());

        let AccountScps::Apply(organization) = ScpState::NoOrganization.for_account("1") else {
            panic!("expected scps to apply");
        };
        assert!(organization.levels.is_empty());
    }

    #[test]
    fn a_policy_that_does_not_parse_breaks_the_state() {
        let state = ScpState::from_snapshot(Some(snapshot("{ not json")));
        let AccountScps::Unknown(reason) = state.for_account("111122223333") else {
            panic!("expected the state to be broken");
        };
        assert!(reason.contains("name-p-extra (p-extra)"), "{reason}");
    }
}
