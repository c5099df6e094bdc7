//! The checks of a request's parts that `explain` and decision vectors share: a request names
//! one action, a resource ARN (or `*`), a caller that SCPs apply to, and condition keys of the
//! form AWS gives them. Each check answers what is wrong as one lowercase fragment.

/// The caller of a request, read from its ARN.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    /// The caller's ARN as given.
    pub arn: String,
    /// The caller's account.
    pub account: String,
    /// The value of `aws:PrincipalArn` for this caller: its own ARN, or for a role session the
    /// ARN of its role.
    pub principal_arn_key: String,
}

/// The forms of caller a request may have, for messages.
const CALLER_FORMS: &str = "an IAM user or role (`arn:aws:iam::111122223333:role/Name`), a role \
     session (`arn:aws:sts::111122223333:assumed-role/Name/session`), a federated user \
     (`arn:aws:sts::111122223333:federated-user/name`) or an account's root user \
     (`arn:aws:iam::111122223333:root`)";

/// Reads the ARN of a caller that SCPs apply to: an IAM user or role, a role session, a
/// federated user or an account's root user.
///
/// IAM User Guide, reference_identifiers.html ("IAM ARNs"): IAM and STS ARNs have an empty
/// region and a 12-digit account; a role session is
/// `arn:aws:sts::<account>:assumed-role/<role>/<session>`. IAM User Guide,
/// reference_policies_condition-keys.html (`aws:PrincipalArn`): for a role session the key holds
/// the role's ARN, not the session's.
pub fn read_caller(arn: &str) -> Result<Caller, String> {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    let [prefix, partition, service, region, account, resource] = parts.as_slice() else {
        return Err(format!("not an ARN: expected {CALLER_FORMS}"));
    };
    if *prefix != "arn" || partition.is_empty() {
        return Err(format!("not an ARN: expected {CALLER_FORMS}"));
    }
    if !matches!(*service, "iam" | "sts") {
        return Err(format!(
            "`{service}` is not a service of callers: a caller is {CALLER_FORMS}"
        ));
    }
    if !region.is_empty() {
        return Err(format!(
            "IAM and STS ARNs have no region, found `{region}`: leave the fourth part empty"
        ));
    }
    if account.len() != 12 || !account.bytes().all(|byte| byte.is_ascii_digit()) {
        return Err(format!(
            "`{account}` is not an account id: expected 12 digits"
        ));
    }
    let principal_arn_key = caller_key(arn, partition, service, account, resource)?;
    Ok(Caller {
        arn: arn.to_owned(),
        account: (*account).to_owned(),
        principal_arn_key,
    })
}

/// The value of `aws:PrincipalArn` of the caller named by `resource` in its ARN.
fn caller_key(
    arn: &str,
    partition: &str,
    service: &str,
    account: &str,
    resource: &str,
) -> Result<String, String> {
    let named = |prefix: &str, names: usize| {
        resource.strip_prefix(prefix).is_some_and(|rest| {
            let pieces: Vec<&str> = rest.split('/').collect();
            pieces.len() >= names && pieces.iter().all(|piece| !piece.is_empty())
        })
    };
    match service {
        "iam" if resource == "root" || named("user/", 1) || named("role/", 1) => Ok(arn.to_owned()),
        "iam" if resource.starts_with("group/") => {
            Err("an IAM user group cannot make requests: name one of its users".to_owned())
        }
        "sts" if named("federated-user/", 1) => Ok(arn.to_owned()),
        "sts" if named("assumed-role/", 2) => {
            let role = resource.split('/').nth(1).unwrap_or_default();
            Ok(format!("arn:{partition}:iam::{account}:role/{role}"))
        }
        _ => Err(format!(
            "`{resource}` names no caller: a caller is {CALLER_FORMS}"
        )),
    }
}

/// Checks that `action` is one action, `service:Action`, without wildcards.
///
/// Service Authorization Reference: a service prefix is lowercase letters, digits and `-`
/// (`elasticfilesystem`, `s3-object-lambda`), and an action name letters and digits; names are
/// compared without regard to case, so case is not checked.
pub fn check_action(action: &str) -> Result<(), String> {
    let Some((service, name)) = action.split_once(':') else {
        return Err("expected one action as `service:Action`, e.g. `s3:GetObject`".to_owned());
    };
    let word = |text: &str| {
        !text.is_empty()
            && text
                .bytes()
                .all(|byte| byte.is_ascii_alphanumeric() || byte == b'-' || byte == b'_')
    };
    if !word(service) || !word(name) {
        return Err(
            "expected one action as `service:Action`, without wildcards, e.g. `s3:GetObject`"
                .to_owned(),
        );
    }
    Ok(())
}

/// Checks that `resource` is `*` or an ARN: `arn:partition:service:region:account:resource`,
/// with the partition, the service and the resource part given (region and account may be
/// empty, as in S3 ARNs, and the resource part may hold wildcards for a resource a request
/// creates).
///
/// IAM User Guide, reference-arns.html: the ARN formats.
pub fn check_resource(resource: &str) -> Result<(), String> {
    if resource == "*" {
        return Ok(());
    }
    let parts: Vec<&str> = resource.splitn(6, ':').collect();
    let well_formed = matches!(
        parts.as_slice(),
        ["arn", partition, service, _, _, name]
            if !partition.is_empty() && !service.is_empty() && !name.is_empty()
    );
    if well_formed {
        Ok(())
    } else {
        Err(
            "expected `*` or an ARN such as `arn:aws:s3:::bucket/key` or \
             `arn:aws:ec2:eu-central-1:111122223333:volume/vol-1`"
                .to_owned(),
        )
    }
}

/// Checks that `key` has the form of a condition key: a prefix, a colon and a name (letters,
/// digits, `-`, `_`, `.` and `:`), then optionally `/` and a tag key or other qualifier, as in
/// `aws:PrincipalTag/team`. The prefix is a service prefix (`aws`, `s3`) or, for web identity
/// federation, the provider's host and path (`token.actions.githubusercontent.com`,
/// `oidc.eks.us-east-1.amazonaws.com/id/EXAMPLE`).
///
/// IAM User Guide, reference_policies_condition-keys.html and the Service Authorization
/// Reference: keys are `prefix:Name`, some with a `/` qualifier;
/// reference_policies_iam-condition-keys.html (keys for web identity federation): the
/// provider's name, then `:aud`, `:sub`, ...; tags (reference_tagging, "Tag naming limits"): a
/// tag key holds letters, digits, spaces and `_ . : / = + - @`.
pub fn check_context_key(key: &str) -> Result<(), String> {
    let problem = || {
        Err(format!(
            "`{key}` is not a condition key: keys look like `aws:SecureTransport` or \
             `aws:PrincipalTag/team`"
        ))
    };
    let Some((prefix, rest)) = key.split_once(':') else {
        return problem();
    };
    let (name, qualifier) = match rest.split_once('/') {
        Some((name, qualifier)) => (name, Some(qualifier)),
        None => (rest, None),
    };
    let prefix_ok = !prefix.is_empty()
        && prefix
            .bytes()
            .all(|byte| byte.is_ascii_alphanumeric() || b"-._/".contains(&byte));
    let name_ok = !name.is_empty()
        && name
            .bytes()
            .all(|byte| byte.is_ascii_alphanumeric() || b"-_.:".contains(&byte));
    let qualifier_ok = qualifier.is_none_or(|qualifier| {
        !qualifier.is_empty()
            && qualifier
                .chars()
                .all(|c| c.is_alphanumeric() || c == ' ' || "_.:/=+-@".contains(c))
    });
    if prefix_ok && name_ok && qualifier_ok {
        Ok(())
    } else {
        problem()
    }
}

#[cfg(test)]
mod tests;
