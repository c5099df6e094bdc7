//! Building the organization of the layout through the Organizations API, and entering the
//! member account through STS.

use std::collections::BTreeMap;

use aws_sdk_organizations::config::http::HttpResponse;
use aws_sdk_organizations::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_organizations::types::{PolicyType, PolicyTypeStatus};
use scpcheck_scenario::layout::{FULL_AWS_ACCESS, OrganizationIds, PolicySet};

use crate::outcome::describe_sdk_error;
use crate::sdk::{Clients, Identity};

/// The role the harness assumes in the member account, as Organizations creates it.
pub const MEMBER_ROLE: &str = "OrganizationAccountAccessRole";

/// Why the organization could not be built.
#[derive(Debug, thiserror::Error)]
#[error("setting up the organization failed: {step}: {detail}")]
pub struct OrganizationError {
    step: String,
    detail: String,
}

fn failed(step: &str) -> impl FnOnce(String) -> OrganizationError + '_ {
    move |detail| OrganizationError {
        step: step.to_string(),
        detail,
    }
}

fn sdk_detail<E>(error: SdkError<E, HttpResponse>) -> String
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    describe_sdk_error(&error)
}

/// The organization as built: identifiers and the member account's session.
#[derive(Debug, Clone)]
pub struct BuiltOrganization {
    /// Identifiers assigned by the emulator.
    pub ids: OrganizationIds,
    /// Temporary credentials of the member account's role.
    pub member: Identity,
    /// The ARN of the member account's role (`aws:PrincipalArn` of its sessions).
    pub member_role_arn: String,
}

/// Creates the organization, its OUs, the member account and the policies, attaches them as
/// the layout says, and assumes the member account's role. `clients` act as the management
/// account.
pub async fn build(
    clients: &Clients,
    policies: &PolicySet,
) -> Result<BuiltOrganization, OrganizationError> {
    let organizations = clients.organizations();
    let management_account = create_organization(&organizations).await?;
    let root = root_id(&organizations).await?;
    enable_scps(&organizations, &root).await?;

    let mut unit_ids = BTreeMap::new();
    for unit in &policies.layout.organizational_unit {
        let parent = match &unit.parent {
            Some(parent) => unit_ids
                .get(parent)
                .cloned()
                .unwrap_or_else(|| root.clone()),
            None => root.clone(),
        };
        let id = create_unit(&organizations, &parent, &unit.name).await?;
        unit_ids.insert(unit.name.clone(), id);
    }

    let account = create_account(&organizations, &policies.layout.account.name).await?;
    if let Some(unit) = &policies.layout.account.organizational_unit
        && let Some(destination) = unit_ids.get(unit)
    {
        organizations
            .move_account()
            .account_id(&account)
            .source_parent_id(&root)
            .destination_parent_id(destination)
            .send()
            .await
            .map_err(|error| failed("MoveAccount")(sdk_detail(error)))?;
    }

    let policy_ids = create_policies(&organizations, policies).await?;
    let ids = OrganizationIds {
        management_account,
        root: root.clone(),
        organizational_units: unit_ids.clone(),
        account: account.clone(),
    };
    attach_all(&organizations, policies, &ids, &policy_ids).await?;

    let member_role_arn = format!("arn:aws:iam::{account}:role/{MEMBER_ROLE}");
    let member = assume_member_role(clients, &member_role_arn).await?;
    Ok(BuiltOrganization {
        ids,
        member,
        member_role_arn,
    })
}

async fn create_organization(
    organizations: &aws_sdk_organizations::Client,
) -> Result<String, OrganizationError> {
    let created = organizations
        .create_organization()
        .feature_set(aws_sdk_organizations::types::OrganizationFeatureSet::All)
        .send()
        .await
        .map_err(|error| failed("CreateOrganization")(sdk_detail(error)))?;
    created
        .organization()
        .and_then(|organization| organization.master_account_id())
        .map(str::to_string)
        .ok_or_else(|| failed("CreateOrganization")("no management account id".to_string()))
}

async fn root_id(
    organizations: &aws_sdk_organizations::Client,
) -> Result<String, OrganizationError> {
    let roots = organizations
        .list_roots()
        .send()
        .await
        .map_err(|error| failed("ListRoots")(sdk_detail(error)))?;
    roots
        .roots()
        .first()
        .and_then(|root| root.id())
        .map(str::to_string)
        .ok_or_else(|| failed("ListRoots")("the organization has no root".to_string()))
}

async fn enable_scps(
    organizations: &aws_sdk_organizations::Client,
    root: &str,
) -> Result<(), OrganizationError> {
    let roots = organizations
        .list_roots()
        .send()
        .await
        .map_err(|error| failed("ListRoots")(sdk_detail(error)))?;
    let enabled = roots.roots().iter().any(|candidate| {
        candidate.policy_types().iter().any(|summary| {
            summary.r#type() == Some(&PolicyType::ServiceControlPolicy)
                && summary.status() == Some(&PolicyTypeStatus::Enabled)
        })
    });
    if enabled {
        return Ok(());
    }
    organizations
        .enable_policy_type()
        .root_id(root)
        .policy_type(PolicyType::ServiceControlPolicy)
        .send()
        .await
        .map_err(|error| failed("EnablePolicyType")(sdk_detail(error)))?;
    Ok(())
}

async fn create_unit(
    organizations: &aws_sdk_organizations::Client,
    parent: &str,
    name: &str,
) -> Result<String, OrganizationError> {
    let created = organizations
        .create_organizational_unit()
        .parent_id(parent)
        .name(name)
        .send()
        .await
        .map_err(|error| failed("CreateOrganizationalUnit")(sdk_detail(error)))?;
    created
        .organizational_unit()
        .and_then(|unit| unit.id())
        .map(str::to_string)
        .ok_or_else(|| failed("CreateOrganizationalUnit")("no OU id".to_string()))
}

async fn create_account(
    organizations: &aws_sdk_organizations::Client,
    name: &str,
) -> Result<String, OrganizationError> {
    let created = organizations
        .create_account()
        .account_name(name)
        .email(format!("{name}@example.com"))
        .send()
        .await
        .map_err(|error| failed("CreateAccount")(sdk_detail(error)))?;
    created
        .create_account_status()
        .and_then(|status| status.account_id())
        .map(str::to_string)
        .ok_or_else(|| failed("CreateAccount")("no account id in the status".to_string()))
}

async fn create_policies(
    organizations: &aws_sdk_organizations::Client,
    policies: &PolicySet,
) -> Result<BTreeMap<String, String>, OrganizationError> {
    let mut ids = BTreeMap::new();
    ids.insert(FULL_AWS_ACCESS.to_string(), "p-FullAWSAccess".to_string());
    for document in policies.documents.values() {
        if document.name == FULL_AWS_ACCESS {
            continue;
        }
        let created = organizations
            .create_policy()
            .name(&document.name)
            .description(format!("scpcheck policy under test: {}", document.name))
            .content(&document.text)
            .r#type(PolicyType::ServiceControlPolicy)
            .send()
            .await
            .map_err(|error| failed("CreatePolicy")(sdk_detail(error)))?;
        let id = created
            .policy()
            .and_then(|policy| policy.policy_summary())
            .and_then(|summary| summary.id())
            .ok_or_else(|| failed("CreatePolicy")("no policy id".to_string()))?;
        ids.insert(document.name.clone(), id.to_string());
    }
    Ok(ids)
}

async fn attach_all(
    organizations: &aws_sdk_organizations::Client,
    policies: &PolicySet,
    ids: &OrganizationIds,
    policy_ids: &BTreeMap<String, String>,
) -> Result<(), OrganizationError> {
    let layout = &policies.layout;
    let mut attachments: Vec<(&str, &[String])> = vec![(&ids.root, &layout.root.policies)];
    for unit in &layout.organizational_unit {
        if let Some(id) = ids.organizational_units.get(&unit.name) {
            attachments.push((id, &unit.policies));
        }
    }
    attachments.push((&ids.account, &layout.account.policies));

    for (target, names) in attachments {
        let attached = attached_policies(organizations, target).await?;
        for name in names {
            let Some(policy_id) = policy_ids.get(name) else {
                continue;
            };
            if attached.contains(policy_id) {
                continue;
            }
            organizations
                .attach_policy()
                .policy_id(policy_id)
                .target_id(target)
                .send()
                .await
                .map_err(|error| failed("AttachPolicy")(sdk_detail(error)))?;
        }
        if !names.iter().any(|name| name == FULL_AWS_ACCESS)
            && attached.iter().any(|id| id == "p-FullAWSAccess")
        {
            organizations
                .detach_policy()
                .policy_id("p-FullAWSAccess")
                .target_id(target)
                .send()
                .await
                .map_err(|error| failed("DetachPolicy")(sdk_detail(error)))?;
        }
    }
    Ok(())
}

async fn attached_policies(
    organizations: &aws_sdk_organizations::Client,
    target: &str,
) -> Result<Vec<String>, OrganizationError> {
    let listed = organizations
        .list_policies_for_target()
        .target_id(target)
        .filter(aws_sdk_organizations::types::PolicyType::ServiceControlPolicy)
        .send()
        .await
        .map_err(|error| failed("ListPoliciesForTarget")(sdk_detail(error)))?;
    Ok(listed
        .policies()
        .iter()
        .filter_map(|summary| summary.id().map(str::to_string))
        .collect())
}

async fn assume_member_role(
    clients: &Clients,
    role_arn: &str,
) -> Result<Identity, OrganizationError> {
    let assumed = clients
        .sts()
        .assume_role()
        .role_arn(role_arn)
        .role_session_name("scpcheck")
        .send()
        .await
        .map_err(|error| failed("AssumeRole")(sdk_detail(error)))?;
    let credentials = assumed
        .credentials()
        .ok_or_else(|| failed("AssumeRole")("no credentials".to_string()))?;
    Ok(Identity {
        access_key_id: credentials.access_key_id().to_string(),
        secret_access_key: credentials.secret_access_key().to_string(),
        session_token: Some(credentials.session_token().to_string()),
    })
}
