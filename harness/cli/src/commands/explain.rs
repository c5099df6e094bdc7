//! `scpcheck explain`: decides one request against SCPs, and optionally the principal's
//! identity policies and the resource's resource-based policy, and prints the decision with the
//! full explanation (every level, policy, statement and condition, with the values compared).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use clap::Args;
use scpcheck_policy::vectors::{self, DEFAULT_PRINCIPAL, MANAGEMENT_ACCOUNT};
use scpcheck_policy::{
    AttachedPolicy, Context, ContextValue, LintSeverity, Organization, Policy, PolicyKind, Request,
    ResourcePolicy, check_action, check_context_key, check_resource, evaluate, evaluate_scps,
    lint_scp, read_caller,
};
use scpcheck_scenario::layout::{OrganizationIds, PolicySet};

use super::{eprint_diagnostic, print_stdout, read_text};
use crate::exit_codes;

/// The name of the role that calls when `--principal` is not given.
const DEFAULT_ROLE_NAME: &str = "VectorRole";

/// Arguments of `scpcheck explain`.
#[derive(Debug, Args)]
#[command(after_help = CONTEXT_HELP)]
pub struct ExplainArgs {
    /// An SCP document to attach to the account's OU; repeat for several. `FullAWSAccess` is
    /// attached to the root, the OU and the account as well, as in a default organization.
    #[arg(
        long = "policy",
        value_name = "FILE",
        required_unless_present = "layout"
    )]
    policies: Vec<PathBuf>,

    /// A policy directory with its `layout.toml`, attached as the layout says, instead of
    /// `--policy`.
    #[arg(long, value_name = "DIR", conflicts_with = "policies")]
    layout: Option<PathBuf>,

    /// The action, e.g. `ec2:CreateVolume`.
    #[arg(long)]
    action: String,

    /// The resource ARN, or `*` for an action that takes no resource.
    #[arg(long)]
    resource: String,

    /// A condition key of the request as `key=value`; repeat for more keys (see below for
    /// multi-valued keys).
    #[arg(long = "context", value_name = "KEY=VALUE", value_parser = parse_context_entry)]
    context: Vec<ContextEntry>,

    /// The calling principal's ARN: an IAM user or role, a role session
    /// (`arn:aws:sts::111122223333:assumed-role/Role/session`), a federated user, or an account's
    /// root user. The management account, which SCPs do not restrict, is `999999999999`.
    /// Without it, the role `VectorRole` of `--account`, or of `111122223333`.
    #[arg(long, value_name = "ARN")]
    principal: Option<String>,

    /// The principal's account: without `--principal`, the caller is the role `VectorRole` of
    /// this account; with it, it must be the account in `--principal`.
    #[arg(long, value_name = "ID")]
    account: Option<String>,

    /// An identity policy of the principal; repeat for several. Without it the principal has
    /// an identity policy that allows everything, as in decision vectors.
    #[arg(
        long = "identity-policy",
        value_name = "FILE",
        conflicts_with = "no_identity_policy"
    )]
    identity_policies: Vec<PathBuf>,

    /// The principal has no identity policy at all (e.g. to see what a resource-based policy
    /// grants by itself).
    #[arg(long)]
    no_identity_policy: bool,

    /// The resource-based policy of the resource (e.g. a bucket policy), whose statements name
    /// principals with `Principal` or `NotPrincipal`.
    #[arg(long, value_name = "FILE")]
    resource_policy: Option<PathBuf>,

    /// The account that owns the resource; by default the account in `--resource`, or the
    /// principal's account when the ARN has none (as S3 ARNs). Another account than the
    /// principal's makes the request cross-account.
    #[arg(long, value_name = "ID")]
    resource_account: Option<String>,
}

const CONTEXT_HELP: &str = "\
Condition keys (--context):
  --context aws:SecureTransport=false       a single-valued key
  --context aws:TagKeys=Owner --context aws:TagKeys=Team
                                            repeating a key makes it multi-valued: [Owner, Team]
  --context 'aws:TagKeys[]=Owner'           `[]` after the name: multi-valued with one value
  --context 'aws:TagKeys[]'                 multi-valued with no values
A key that is not given is absent from the request. Key names ignore letter case.";

/// One `--context` argument.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContextEntry {
    key: String,
    multi_valued: bool,
    value: Option<String>,
}

/// Reads `key=value`, `key[]=value` or `key[]`.
fn parse_context_entry(text: &str) -> Result<ContextEntry, String> {
    let (name, value) = match text.split_once('=') {
        Some((name, value)) => (name, Some(value.to_owned())),
        None => (text, None),
    };
    let (key, multi_valued) = match name.strip_suffix("[]") {
        Some(key) => (key, true),
        None => (name, false),
    };
    if value.is_none() && !multi_valued {
        return Err(format!(
            "expected `key=value`, found `{text}`; `key[]` gives a multi-valued key with no values"
        ));
    }
    check_context_key(key).map_err(|problem| format!("invalid condition key: {problem}"))?;
    Ok(ContextEntry {
        key: key.to_owned(),
        multi_valued,
        value,
    })
}

/// Gathers the entries by key, ignoring letter case: a repeated or `[]` key is multi-valued.
fn context(entries: &[ContextEntry]) -> Context {
    let mut gathered: BTreeMap<String, (String, bool, Vec<String>)> = BTreeMap::new();
    for entry in entries {
        let slot = gathered
            .entry(entry.key.to_ascii_lowercase())
            .or_insert_with(|| (entry.key.clone(), false, Vec::new()));
        slot.1 |= entry.multi_valued;
        slot.2.extend(entry.value.clone());
    }
    let mut context = Context::new();
    for (key, multi_valued, values) in gathered.into_values() {
        let value = match values.as_slice() {
            [only] if !multi_valued => ContextValue::Single(only.clone()),
            _ => ContextValue::Multi(values),
        };
        context.insert(key, value);
    }
    context
}

/// Runs `scpcheck explain`; returns the exit code.
///
/// With SCPs alone the decision is the SCPs', as if an identity policy allowed the request,
/// unless the resource belongs to another account: then every policy decides, and without a
/// resource-based policy nothing grants the request.
pub fn run(args: &ExplainArgs) -> i32 {
    if let (Some(account), None) = (&args.resource_account, &args.resource_policy) {
        crate::report!(
            "error: `--resource-account {account}` needs `--resource-policy`: the account that \
             owns the resource matters only through the resource's resource-based policy"
        );
        crate::report!(
            "help: give the resource's policy (e.g. its bucket policy) with `--resource-policy`; \
             a resource of another account without one denies every request of this principal"
        );
        return exit_codes::INVALID_INPUT;
    }
    let request = match request(args) {
        Ok(request) => request,
        Err(message) => {
            crate::report!("error: {message}");
            return exit_codes::INVALID_INPUT;
        }
    };
    let organization = match &args.layout {
        Some(dir) => layout_organization(dir, &request.account_id),
        None => policies_organization(&args.policies, &request.account_id),
    };
    let identity: Vec<Option<Arc<Policy>>> = args
        .identity_policies
        .iter()
        .map(|path| load(path, PolicyKind::Identity))
        .collect();
    // `Some(None)`: no resource-based policy given; `None`: one given but not valid.
    let resource_policy = match args.resource_policy.as_deref() {
        Some(path) => resource_policy(path, args, &request).map(Some),
        None => Some(None),
    };
    let (Some(organization), Some(identity), Some(resource_policy)) = (
        organization,
        identity.into_iter().collect::<Option<Vec<_>>>(),
        resource_policy,
    ) else {
        return exit_codes::INVALID_INPUT;
    };
    let scps_alone = identity.is_empty()
        && resource_policy.is_none()
        && !args.no_identity_policy
        && !request.names_another_account();
    let explanation = if scps_alone {
        evaluate_scps(&organization, &request).to_string()
    } else {
        let identity = if identity.is_empty() && !args.no_identity_policy {
            vec![allow_all_identity_policy()]
        } else {
            identity
        };
        evaluate(&organization, &identity, resource_policy.as_ref(), &request).to_string()
    };
    print_stdout(&explanation);
    exit_codes::SUCCESS
}

/// Reads the resource-based policy and pairs it with the resource's account; `None` after
/// reporting a problem.
fn resource_policy(path: &Path, args: &ExplainArgs, request: &Request) -> Option<ResourcePolicy> {
    if let Some(account) = &args.resource_account
        && let Err(problem) = request.check_resource_owner(account)
    {
        crate::report!("error: `--resource-account {account}`: {problem}");
        crate::report!(
            "help: leave `--resource-account` out for a resource whose ARN names its account; it \
             is for ARNs without one, such as S3's"
        );
        return None;
    }
    let policy = load(path, PolicyKind::ResourceBased)?;
    let account = args.resource_account.clone().unwrap_or_else(|| {
        request
            .resource_account()
            .unwrap_or(&request.account_id)
            .to_owned()
    });
    match ResourcePolicy::new(policy, account) {
        Ok(resource_policy) => Some(resource_policy),
        Err(error) => {
            crate::report!("error: `--resource-account`: {error}");
            None
        }
    }
}

/// Reads and parses one policy file of `kind`; `None` after reporting its problems.
fn load(path: &Path, kind: PolicyKind) -> Option<Arc<Policy>> {
    load_with_text(path, kind).map(|(policy, _)| policy)
}

/// [`load`], keeping the file's text too.
fn load_with_text(path: &Path, kind: PolicyKind) -> Option<(Arc<Policy>, String)> {
    let text = match read_text(path) {
        Ok(text) => text,
        Err(message) => {
            crate::report!("error: {message}");
            return None;
        }
    };
    match Policy::parse_as(kind, &path.display().to_string(), &text) {
        Ok(policy) => Some((Arc::new(policy), text)),
        Err(errors) => {
            eprint_diagnostic(&errors);
            None
        }
    }
}

/// The identity policy of a principal for which no `--identity-policy` is given.
fn allow_all_identity_policy() -> Arc<Policy> {
    let text = r#"{"Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}"#;
    match Policy::parse("allow-all-identity", text) {
        Ok(policy) => Arc::new(policy),
        // The text is a constant that a unit test parses.
        Err(_) => vectors::full_aws_access(),
    }
}

/// The request the arguments describe, after checking the principal, its account, the action
/// and the resource.
///
/// AWS User Guide, reference_policies_condition-keys.html: `aws:PrincipalArn` and
/// `aws:PrincipalAccount` are in every request made by an IAM principal (for a role session,
/// `aws:PrincipalArn` is the role's ARN), so they are derived from `--principal` unless
/// `--context` sets them.
fn request(args: &ExplainArgs) -> Result<Request, String> {
    let principal = match (&args.principal, &args.account) {
        (Some(principal), _) => principal.clone(),
        (None, Some(account)) => format!("arn:aws:iam::{account}:role/{DEFAULT_ROLE_NAME}"),
        (None, None) => DEFAULT_PRINCIPAL.to_owned(),
    };
    let caller = read_caller(&principal).map_err(|problem| {
        let option = if args.principal.is_some() {
            "--principal"
        } else {
            "--account"
        };
        format!("`{option}`: `{principal}`: {problem}")
    })?;
    if let Some(account) = &args.account
        && *account != caller.account
    {
        return Err(format!(
            "`--account {account}` is not the account of `--principal` ({}); leave `--account` \
             out or name a principal of that account",
            caller.account
        ));
    }
    check_action(&args.action)
        .map_err(|problem| format!("`--action`: `{}`: {problem}", args.action))?;
    check_resource(&args.resource)
        .map_err(|problem| format!("`--resource`: `{}`: {problem}", args.resource))?;
    let mut context = context(&args.context);
    vectors::derive_principal_keys(&mut context, &[], &caller);
    Ok(Request {
        principal_arn: caller.arn,
        account_id: caller.account,
        action: args.action.clone(),
        resource: args.resource.clone(),
        context,
    })
}

/// The vectors' organization with the given SCPs at the OU; `None` after reporting a problem.
fn policies_organization(paths: &[PathBuf], account_id: &str) -> Option<Organization> {
    let mut attached = Vec::new();
    let mut valid = true;
    for path in paths {
        match load_policy(path) {
            Some(policy) => attached.push(policy),
            None => valid = false,
        }
    }
    let mut organization = valid.then(|| vectors::organization(attached))?;
    // The account level is the principal's account.
    if let Some(level) = organization.levels.last_mut() {
        level.target_id = account_id.to_owned();
    }
    Some(organization)
}

/// Reads an SCP; one that AWS Organizations would refuse is still decided, after a warning that
/// names its first lint error and how many there are.
fn load_policy(path: &Path) -> Option<AttachedPolicy> {
    let (policy, text) = load_with_text(path, PolicyKind::Identity)?;
    let findings = lint_scp(&policy, &text);
    let mut errors = findings
        .iter()
        .filter(|finding| finding.severity() == LintSeverity::Error);
    if let Some(first) = errors.next() {
        let (name, at, more) = (path.display(), first.location(), errors.count());
        let others = match more {
            0 => String::new(),
            1 => ", and 1 more problem".to_owned(),
            more => format!(", and {more} more problems"),
        };
        crate::report!(
            "warning: AWS Organizations would refuse the SCP `{name}`: {name}:{}:{}: {}{others}",
            at.line,
            at.column,
            first.message()
        );
        crate::report!(
            "help: `scpcheck lint {name}` shows each problem; the decision below is still the \
             evaluator's"
        );
    }
    Some(AttachedPolicy {
        name: policy_name(path),
        policy,
    })
}

/// The file stem, as the layout names policies.
fn policy_name(path: &Path) -> String {
    path.file_stem().map_or_else(
        || path.display().to_string(),
        |stem| stem.to_string_lossy().into_owned(),
    )
}

/// The organization of a policy directory's layout, with the request's account in it.
fn layout_organization(dir: &Path, account_id: &str) -> Option<Organization> {
    match PolicySet::load(dir) {
        Ok(set) => {
            let ids = OrganizationIds {
                management_account: MANAGEMENT_ACCOUNT.to_owned(),
                root: "r-root".to_owned(),
                organizational_units: BTreeMap::new(),
                account: account_id.to_owned(),
            };
            Some(set.organization(&ids))
        }
        Err(errors) => {
            for error in &errors {
                eprint_diagnostic(error);
            }
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entries(texts: &[&str]) -> Vec<ContextEntry> {
        texts
            .iter()
            .map(|text| parse_context_entry(text).unwrap())
            .collect()
    }

    #[test]
    fn the_allow_all_identity_policy_parses() {
        let text = allow_all_identity_policy().to_string();
        assert!(text.contains("\"Action\": \"*\""), "{text}");
        assert_eq!(
            allow_all_identity_policy().source_name(),
            "allow-all-identity"
        );
    }

    #[test]
    fn single_repeated_and_marked_keys() {
        let context = context(&entries(&[
            "aws:SecureTransport=false",
            "aws:TagKeys=Owner",
            "AWS:TAGKEYS=Team",
            "s3:prefix[]=home/",
            "ec2:Tags[]",
            "aws:Empty=",
        ]));
        let get = |key| context.get(key).cloned();
        assert_eq!(
            get("aws:SecureTransport"),
            Some(ContextValue::Single("false".into()))
        );
        assert_eq!(
            get("aws:tagkeys"),
            Some(ContextValue::Multi(vec!["Owner".into(), "Team".into()]))
        );
        assert_eq!(
            get("s3:prefix"),
            Some(ContextValue::Multi(vec!["home/".into()]))
        );
        assert_eq!(get("ec2:Tags"), Some(ContextValue::Multi(Vec::new())));
        assert_eq!(get("aws:Empty"), Some(ContextValue::Single(String::new())));
    }

    #[test]
    fn values_may_hold_equals_signs() {
        let entry = parse_context_entry("aws:UserAgent=a=b").unwrap();
        assert_eq!(entry.value.as_deref(), Some("a=b"));
    }

    #[test]
    fn refuses_entries_without_value_or_with_bad_keys() {
        assert!(
            parse_context_entry("aws:SecureTransport")
                .unwrap_err()
                .starts_with("expected `key=value`")
        );
        assert_eq!(
            parse_context_entry("SecureTransport=true").unwrap_err(),
            "invalid condition key: `SecureTransport` is not a condition key: keys look like \
             `aws:SecureTransport` or `aws:PrincipalTag/team`"
        );
    }
}
