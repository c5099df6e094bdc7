//! Who signs with which key: the management keys given at start and the session keys that
//! STS hands out through the gateway.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, PoisonError, RwLock};

use crate::config::Credentials;

/// What the gateway knows about an access key.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct Identity {
    /// The access key id.
    pub access_key_id: String,
    /// The secret the signature is checked with.
    pub secret_access_key: String,
    /// The session token that must accompany temporary credentials.
    pub session_token: Option<String>,
    /// The account the key belongs to.
    pub account_id: String,
    /// The caller as AWS names it, e.g. an assumed-role session ARN.
    pub caller_arn: String,
    /// The value of `aws:PrincipalArn`: for role sessions, the role's ARN.
    pub principal_arn: String,
}

impl fmt::Debug for Identity {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter
            .debug_struct("Identity")
            .field("access_key_id", &self.access_key_id)
            .field("account_id", &self.account_id)
            .field("caller_arn", &self.caller_arn)
            .field("principal_arn", &self.principal_arn)
            .finish_non_exhaustive()
    }
}

/// The keys the gateway accepts.
#[derive(Debug, Default)]
pub(crate) struct CredentialStore {
    identities: RwLock<HashMap<String, Arc<Identity>>>,
}

impl CredentialStore {
    /// A store that knows the management account's static keys as the account's root user.
    pub(crate) fn seeded(management: &Credentials, management_account_id: &str) -> Self {
        let store = Self::default();
        store.register(Identity {
            access_key_id: management.access_key_id.clone(),
            secret_access_key: management.secret_access_key.clone(),
            session_token: None,
            account_id: management_account_id.to_owned(),
            caller_arn: format!("arn:aws:iam::{management_account_id}:root"),
            principal_arn: format!("arn:aws:iam::{management_account_id}:root"),
        });
        store
    }

    /// Adds or replaces the identity of an access key.
    pub(crate) fn register(&self, identity: Identity) {
        let mut identities = self
            .identities
            .write()
            .unwrap_or_else(PoisonError::into_inner);
        identities.insert(identity.access_key_id.clone(), Arc::new(identity));
    }

    /// The identity of `access_key_id`, if known.
    pub(crate) fn lookup(&self, access_key_id: &str) -> Option<Arc<Identity>> {
        let identities = self
            .identities
            .read()
            .unwrap_or_else(PoisonError::into_inner);
        identities.get(access_key_id).cloned()
    }
}

/// Temporary credentials issued by a successful `AssumeRole`.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct AssumedRole {
    /// The role that was assumed, as requested, e.g. `arn:aws:iam::111122223333:role/Admin`.
    pub role_arn: String,
    /// The session name that was requested.
    pub session_name: String,
    /// The issued access key id.
    pub access_key_id: String,
    /// The issued secret.
    pub secret_access_key: String,
    /// The issued session token.
    pub session_token: String,
}

impl fmt::Debug for AssumedRole {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter
            .debug_struct("AssumedRole")
            .field("role_arn", &self.role_arn)
            .field("session_name", &self.session_name)
            .field("access_key_id", &self.access_key_id)
            .finish_non_exhaustive()
    }
}

/// A role ARN that is not `arn:<partition>:iam::<account>:role/<path/>name`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not an iam role arn")]
pub(crate) struct NotARoleArn(pub String);

impl AssumedRole {
    /// The identity of the session: its account is the role's account, the caller is the
    /// assumed-role session and `aws:PrincipalArn` is the role itself.
    pub(crate) fn identity(&self) -> Result<Identity, NotARoleArn> {
        let (partition, account_id, role_name) =
            split_role_arn(&self.role_arn).ok_or_else(|| NotARoleArn(self.role_arn.clone()))?;
        Ok(Identity {
            access_key_id: self.access_key_id.clone(),
            secret_access_key: self.secret_access_key.clone(),
            session_token: Some(self.session_token.clone()),
            account_id: account_id.to_owned(),
            caller_arn: format!(
                "arn:{partition}:sts::{account_id}:assumed-role/{role_name}/{session}",
                session = self.session_name,
            ),
            principal_arn: self.role_arn.clone(),
        })
    }
}

/// The partition, account and role name (without path) of a role ARN.
fn split_role_arn(role_arn: &str) -> Option<(&str, &str, &str)> {
    let mut fields = role_arn.splitn(6, ':');
    let (Some("arn"), Some(partition), Some("iam"), Some(""), Some(account_id), Some(resource)) = (
        fields.next(),
        fields.next(),
        fields.next(),
        fields.next(),
        fields.next(),
        fields.next(),
    ) else {
        return None;
    };

    let role_path_and_name = resource.strip_prefix("role/")?;
    let role_name = role_path_and_name.rsplit('/').next()?;
    let account_is_valid = account_id.len() == 12 && account_id.bytes().all(|b| b.is_ascii_digit());
    if !account_is_valid || role_name.is_empty() {
        return None;
    }
    Some((partition, account_id, role_name))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assumed(role_arn: &str) -> AssumedRole {
        AssumedRole {
            role_arn: role_arn.to_owned(),
            session_name: "probe".to_owned(),
            access_key_id: "ASIAEXAMPLE".to_owned(),
            secret_access_key: "secret".to_owned(),
            session_token: "token".to_owned(),
        }
    }

    #[test]
    fn management_keys_are_the_root_user() {
        let management = Credentials {
            access_key_id: "AKIAMGMT".to_owned(),
            secret_access_key: "s".to_owned(),
        };
        let store = CredentialStore::seeded(&management, "123456789012");
        let identity = store.lookup("AKIAMGMT").unwrap();
        assert_eq!(identity.principal_arn, "arn:aws:iam::123456789012:root");
        assert_eq!(identity.session_token, None);
        assert!(store.lookup("AKIAOTHER").is_none());
    }

    #[test]
    fn role_session_identity_uses_role_arn_as_principal() {
        let identity = assumed("arn:aws:iam::111122223333:role/ops/Admin")
            .identity()
            .unwrap();
        assert_eq!(identity.account_id, "111122223333");
        assert_eq!(
            identity.principal_arn,
            "arn:aws:iam::111122223333:role/ops/Admin"
        );
        assert_eq!(
            identity.caller_arn,
            "arn:aws:sts::111122223333:assumed-role/Admin/probe"
        );
        assert_eq!(identity.session_token.as_deref(), Some("token"));
    }

    #[test]
    fn non_role_arns_are_rejected() {
        for arn in [
            "arn:aws:iam::111122223333:user/Admin",
            "arn:aws:iam::1111:role/Admin",
            "arn:aws:s3:::bucket",
            "Admin",
        ] {
            assert_eq!(assumed(arn).identity(), Err(NotARoleArn(arn.to_owned())));
        }
    }

    #[test]
    fn registered_session_is_found() {
        let store = CredentialStore::default();
        store.register(
            assumed("arn:aws:iam::111122223333:role/Admin")
                .identity()
                .unwrap(),
        );
        assert_eq!(
            store.lookup("ASIAEXAMPLE").unwrap().account_id,
            "111122223333"
        );
    }
}
