//! Reads the organization from the emulator's Organizations API: every account with the chain
//! of targets above it (root, OUs, the account) and the SCPs attached at each.

use std::collections::{BTreeMap, VecDeque};

use serde_json::{Value, json};

use crate::credentials::Identity;
use crate::emulator::{Emulator, EmulatorError};

/// The error code of `DescribeOrganization` when there is no organization.
const NOT_IN_USE: &str = "AWSOrganizationsNotInUseException";

/// More targets than this means something is wrong; the walk stops instead of running on.
const MAX_TARGETS: usize = 10_000;

/// The kind of a target policies attach to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TargetKind {
    /// The organization's root.
    Root,
    /// An organizational unit.
    OrganizationalUnit,
    /// An account.
    Account,
}

/// A policy attached to a target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PolicyRef {
    /// The policy id, e.g. `p-FullAWSAccess`.
    pub id: String,
    /// The policy's name.
    pub name: String,
}

/// One target on the way from the root to an account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TargetLevel {
    /// The target id.
    pub id: String,
    /// What the target is.
    pub kind: TargetKind,
    /// The SCPs attached directly to it.
    pub policies: Vec<PolicyRef>,
}

/// An account and the targets above it, root first, the account itself last.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct AccountChain {
    /// The account id.
    pub account_id: String,
    /// Root, OUs from the top down, then the account.
    pub levels: Vec<TargetLevel>,
}

/// The organization as the emulator holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct OrgSnapshot {
    /// The management account.
    pub management_account_id: String,
    /// Every account's chain.
    pub accounts: Vec<AccountChain>,
    /// Policy id to policy document text.
    pub policy_contents: BTreeMap<String, String>,
}

/// Reads the organization visible to `identity` (the management account), or `None` when there
/// is none or it does not have all features enabled (then no SCPs apply).
pub(crate) async fn fetch(
    emulator: &Emulator,
    identity: &Identity,
    region: &str,
) -> Result<Option<OrgSnapshot>, EmulatorError> {
    let walker = Walker {
        emulator,
        identity,
        region,
    };

    let organization = match walker.call("DescribeOrganization", &json!({})).await {
        Ok(answer) => answer,
        Err(error) if error.rejection_code() == Some(NOT_IN_USE) => return Ok(None),
        Err(error) => return Err(error),
    };
    let organization = organization.get("Organization").unwrap_or(&Value::Null);
    // Limitation: whether the SCP policy type is enabled on the root is not checked, because
    // the emulator does not report it there; an organization with all features is taken to
    // enforce its SCPs.
    if organization.get("FeatureSet").and_then(Value::as_str) != Some("ALL") {
        return Ok(None);
    }
    let management_account_id =
        string_field(organization, "MasterAccountId", "DescribeOrganization")?;

    let accounts = walker.accounts().await?;
    let policy_contents = walker.policy_contents(&accounts).await?;
    Ok(Some(OrgSnapshot {
        management_account_id,
        accounts,
        policy_contents,
    }))
}

struct Walker<'a> {
    emulator: &'a Emulator,
    identity: &'a Identity,
    region: &'a str,
}

impl Walker<'_> {
    async fn call(&self, operation: &str, input: &Value) -> Result<Value, EmulatorError> {
        self.emulator
            .organizations(self.identity, self.region, operation, input)
            .await
    }

    /// Every item of a paginated list operation.
    async fn list(
        &self,
        operation: &str,
        input: Value,
        key: &str,
    ) -> Result<Vec<Value>, EmulatorError> {
        let mut items = Vec::new();
        let mut input = input;
        loop {
            let answer = self.call(operation, &input).await?;
            let page = answer
                .get(key)
                .and_then(Value::as_array)
                .ok_or_else(|| unreadable(operation, &format!("no `{key}` list")))?;
            items.extend(page.iter().cloned());

            match answer.get("NextToken").and_then(Value::as_str) {
                Some(token) if !token.is_empty() => {
                    if let Some(fields) = input.as_object_mut() {
                        fields.insert("NextToken".to_owned(), json!(token));
                    }
                }
                _ => return Ok(items),
            }
            if items.len() > MAX_TARGETS {
                return Err(unreadable(operation, "the list does not end"));
            }
        }
    }

    /// Walks from the root down, breadth first, collecting each account's chain.
    async fn accounts(&self) -> Result<Vec<AccountChain>, EmulatorError> {
        let roots = self.list("ListRoots", json!({}), "Roots").await?;
        let mut pending: VecDeque<(String, TargetKind, Vec<TargetLevel>)> = roots
            .iter()
            .map(|root| string_field(root, "Id", "ListRoots"))
            .map(|id| id.map(|id| (id, TargetKind::Root, Vec::new())))
            .collect::<Result<_, _>>()?;

        let mut chains = Vec::new();
        let mut visited = 0_usize;
        while let Some((id, kind, above)) = pending.pop_front() {
            visited += 1;
            if visited > MAX_TARGETS {
                return Err(unreadable(
                    "ListOrganizationalUnitsForParent",
                    "too many targets",
                ));
            }
            let mut levels = above;
            levels.push(self.level(&id, kind).await?);

            for unit in self
                .children(
                    &id,
                    "ListOrganizationalUnitsForParent",
                    "OrganizationalUnits",
                )
                .await?
            {
                pending.push_back((unit, TargetKind::OrganizationalUnit, levels.clone()));
            }
            for account_id in self
                .children(&id, "ListAccountsForParent", "Accounts")
                .await?
            {
                let mut account_levels = levels.clone();
                account_levels.push(self.level(&account_id, TargetKind::Account).await?);
                chains.push(AccountChain {
                    account_id,
                    levels: account_levels,
                });
            }
        }
        Ok(chains)
    }

    /// The ids of the OUs or accounts directly under `parent_id`.
    async fn children(
        &self,
        parent_id: &str,
        operation: &str,
        key: &str,
    ) -> Result<Vec<String>, EmulatorError> {
        let items = self
            .list(operation, json!({ "ParentId": parent_id }), key)
            .await?;
        items
            .iter()
            .map(|item| string_field(item, "Id", operation))
            .collect()
    }

    /// A target with the SCPs attached to it.
    async fn level(&self, target_id: &str, kind: TargetKind) -> Result<TargetLevel, EmulatorError> {
        let input = json!({ "TargetId": target_id, "Filter": "SERVICE_CONTROL_POLICY" });
        let items = self
            .list("ListPoliciesForTarget", input, "Policies")
            .await?;
        let policies = items
            .iter()
            .map(|item| {
                Ok(PolicyRef {
                    id: string_field(item, "Id", "ListPoliciesForTarget")?,
                    name: string_field(item, "Name", "ListPoliciesForTarget")?,
                })
            })
            .collect::<Result<_, EmulatorError>>()?;
        Ok(TargetLevel {
            id: target_id.to_owned(),
            kind,
            policies,
        })
    }

    /// The document of every policy attached anywhere, fetched once each.
    async fn policy_contents(
        &self,
        chains: &[AccountChain],
    ) -> Result<BTreeMap<String, String>, EmulatorError> {
        let mut contents = BTreeMap::new();
        let attached = chains
            .iter()
            .flat_map(|chain| &chain.levels)
            .flat_map(|level| &level.policies);
        for policy in attached {
            if contents.contains_key(&policy.id) {
                continue;
            }
            let answer = self
                .call("DescribePolicy", &json!({ "PolicyId": policy.id }))
                .await?;
            let described = answer.get("Policy").unwrap_or(&Value::Null);
            let content = string_field(described, "Content", "DescribePolicy")?;
            contents.insert(policy.id.clone(), content);
        }
        Ok(contents)
    }
}

fn string_field(value: &Value, field: &str, operation: &str) -> Result<String, EmulatorError> {
    value
        .get(field)
        .and_then(Value::as_str)
        .map(str::to_owned)
        .ok_or_else(|| unreadable(operation, &format!("no `{field}` string")))
}

fn unreadable(operation: &str, reason: &str) -> EmulatorError {
    EmulatorError::Unreadable {
        operation: operation.to_owned(),
        reason: reason.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{Moto, management_identity};
    use crate::upstream::Upstream;

    const REGION: &str = "eu-central-1";

    async fn call(emulator: &Emulator, operation: &str, input: Value) -> Value {
        emulator
            .organizations(&management_identity(), REGION, operation, &input)
            .await
            .unwrap()
    }

    #[tokio::test]
    async fn walks_root_units_and_accounts() {
        let Some(moto) = Moto::start("walks_root_units_and_accounts") else {
            return;
        };
        let emulator = Emulator::new(Upstream::new(&moto.url).unwrap());
        let identity = management_identity();
        assert_eq!(fetch(&emulator, &identity, REGION).await.unwrap(), None);

        call(
            &emulator,
            "CreateOrganization",
            json!({ "FeatureSet": "ALL" }),
        )
        .await;
        let roots = call(&emulator, "ListRoots", json!({})).await;
        let root_id = roots["Roots"][0]["Id"].as_str().unwrap().to_owned();
        let unit = call(
            &emulator,
            "CreateOrganizationalUnit",
            json!({ "ParentId": root_id, "Name": "workloads" }),
        )
        .await;
        let unit_id = unit["OrganizationalUnit"]["Id"]
            .as_str()
            .unwrap()
            .to_owned();
        let account = call(
            &emulator,
            "CreateAccount",
            json!({ "Email": "member@example.com", "AccountName": "member" }),
        )
        .await;
        let account_id = account["CreateAccountStatus"]["AccountId"]
            .as_str()
            .unwrap()
            .to_owned();
        call(
            &emulator,
            "MoveAccount",
            json!({ "AccountId": account_id, "SourceParentId": root_id,
                    "DestinationParentId": unit_id }),
        )
        .await;
        let content = r#"{"Version":"2012-10-17",
            "Statement":[{"Effect":"Deny","Action":"s3:*","Resource":"*"}]}"#;
        let policy = call(
            &emulator,
            "CreatePolicy",
            json!({ "Content": content, "Description": "d", "Name": "deny-s3",
                    "Type": "SERVICE_CONTROL_POLICY" }),
        )
        .await;
        let policy_id = policy["Policy"]["PolicySummary"]["Id"]
            .as_str()
            .unwrap()
            .to_owned();
        call(
            &emulator,
            "AttachPolicy",
            json!({ "PolicyId": policy_id, "TargetId": unit_id }),
        )
        .await;

        let snapshot = fetch(&emulator, &identity, REGION).await.unwrap().unwrap();
        assert_eq!(snapshot.management_account_id, "123456789012");
        let chain = snapshot
            .accounts
            .iter()
            .find(|chain| chain.account_id == account_id)
            .unwrap();
        let kinds: Vec<TargetKind> = chain.levels.iter().map(|level| level.kind).collect();
        assert_eq!(
            kinds,
            [
                TargetKind::Root,
                TargetKind::OrganizationalUnit,
                TargetKind::Account
            ]
        );
        let unit_level = &chain.levels[1];
        assert_eq!(unit_level.id, unit_id);
        let names: Vec<&str> = unit_level
            .policies
            .iter()
            .map(|p| p.name.as_str())
            .collect();
        assert_eq!(names, ["FullAWSAccess", "deny-s3"]);
        assert_eq!(snapshot.policy_contents[&policy_id], content);
        assert!(
            snapshot
                .accounts
                .iter()
                .any(|chain| chain.account_id == "123456789012")
        );
    }
}
