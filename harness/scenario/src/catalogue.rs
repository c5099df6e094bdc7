//! The operations scenarios can exercise, and how a call's parameters become the authorization
//! checks AWS performs for it: the action, each resource ARN and its condition keys.
//!
//! Every check carries the global keys `aws:SecureTransport`, `aws:PrincipalArn`,
//! `aws:PrincipalAccount` and `aws:RequestedRegion`. A call is denied if any of its checks is
//! denied. Parameters marked as ids name resources; when one is missing the resource ARN uses a
//! wildcard in its place, as it does when the id is not known before the call.

mod ec2;
mod efs;
mod rds;
mod s3;

pub use ec2::{DEFAULT_PROVISIONED_IOPS, create_volume_iops};

use std::fmt;

use scpcheck_policy::{Context, Request};

use crate::{ParamValue, Params, TRANSPORT_PARAM};

/// The type of an operation parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ParamType {
    /// `true` or `false`.
    Bool,
    /// A signed 64-bit integer.
    Int,
    /// A string.
    Str,
}

impl fmt::Display for ParamType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ParamType::Bool => "boolean",
            ParamType::Int => "integer",
            ParamType::Str => "string",
        })
    }
}

/// One parameter an operation accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct ParamSpec {
    /// The parameter's name in scenarios and cases, e.g. `root_volume_encrypted`.
    pub name: &'static str,
    /// The type of its values.
    pub param_type: ParamType,
    /// Whether it identifies a resource; ids are filled in at run time, never by a scenario.
    pub is_id: bool,
    /// Whether every call must carry it.
    pub required: bool,
}

impl ParamSpec {
    const fn optional(name: &'static str, param_type: ParamType) -> Self {
        Self {
            name,
            param_type,
            is_id: false,
            required: false,
        }
    }

    const fn required(name: &'static str, param_type: ParamType) -> Self {
        Self {
            name,
            param_type,
            is_id: false,
            required: true,
        }
    }

    const fn id(name: &'static str) -> Self {
        Self {
            name,
            param_type: ParamType::Str,
            is_id: true,
            required: false,
        }
    }
}

/// Builds the authorization checks of one call whose parameters have been validated.
type CheckBuilder = fn(&Call<'_>) -> Result<Vec<AuthorizationCheck>, CatalogueError>;

/// One operation: its name, service, parameters and how they become authorization checks.
#[derive(Debug)]
pub struct OperationSpec {
    /// The operation and IAM action, `service:Action`, e.g. `ec2:RunInstances`.
    pub name: &'static str,
    /// The IAM service prefix, e.g. `ec2`.
    pub service: &'static str,
    /// The parameters the operation accepts, apart from `transport`.
    pub params: &'static [ParamSpec],
    checks: CheckBuilder,
}

impl OperationSpec {
    /// The parameter called `name`, if the operation has one.
    pub fn param(&self, name: &str) -> Option<&'static ParamSpec> {
        self.params.iter().find(|param| param.name == name)
    }
}

/// Everything about a call that is not one of its parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallEnv {
    /// The region the call is sent to, e.g. `eu-central-1`.
    pub region: String,
    /// The account of the calling principal.
    pub account_id: String,
    /// The ARN of the calling principal.
    pub principal_arn: String,
    /// Whether the call is sent over HTTPS.
    pub secure_transport: bool,
    /// Whether EBS encryption by default is enabled in the account and region.
    pub ebs_encryption_by_default: bool,
}

/// One authorization question AWS asks for a call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthorizationCheck {
    /// The resource type the check is about, e.g. `volume`, as the Service Authorization
    /// Reference names it.
    pub resource_role: &'static str,
    /// The request evaluated for this resource.
    pub request: Request,
}

/// Why a call could not be turned into authorization checks.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, miette::Diagnostic)]
pub enum CatalogueError {
    /// The operation is not in the catalogue.
    #[error("unknown operation `{operation}`")]
    #[diagnostic(help("known operations: {}", known_operations()))]
    UnknownOperation {
        /// The operation as given.
        operation: String,
    },
    /// A parameter the operation does not accept.
    #[error("unknown parameter `{parameter}` for `{operation}`")]
    #[diagnostic(help("parameters of `{operation}`: {}", param_names(operation)))]
    UnknownParameter {
        /// The operation.
        operation: &'static str,
        /// The parameter as given.
        parameter: String,
    },
    /// A required parameter is missing.
    #[error("missing parameter `{parameter}` for `{operation}`")]
    MissingParameter {
        /// The operation.
        operation: &'static str,
        /// The missing parameter.
        parameter: &'static str,
    },
    /// A parameter has a value of the wrong type.
    #[error("parameter `{parameter}` of `{operation}` must be a {expected}, found a {found}")]
    WrongType {
        /// The operation.
        operation: &'static str,
        /// The parameter.
        parameter: String,
        /// The type the catalogue declares.
        expected: ParamType,
        /// The type of the value given.
        found: ParamType,
    },
}

static OPERATIONS: [&OperationSpec; 10] = [
    &ec2::RUN_INSTANCES,
    &ec2::CREATE_VOLUME,
    &ec2::CREATE_SNAPSHOT,
    &ec2::CREATE_SNAPSHOTS,
    &s3::PUT_OBJECT,
    &s3::GET_OBJECT,
    &rds::CREATE_DB_CLUSTER,
    &rds::CREATE_DB_INSTANCE,
    &rds::RESTORE_DB_CLUSTER_FROM_S3,
    &efs::CREATE_FILE_SYSTEM,
];

/// Every operation in the catalogue.
pub fn operations() -> impl Iterator<Item = &'static OperationSpec> {
    OPERATIONS.iter().copied()
}

/// The operation called `operation`, e.g. `ec2:CreateVolume`; names are matched exactly.
pub fn find(operation: &str) -> Option<&'static OperationSpec> {
    operations().find(|spec| spec.name == operation)
}

/// The names of every operation, in backticks, separated by commas.
pub fn known_operations() -> String {
    backticked(operations().map(|spec| spec.name))
}

/// The authorization checks AWS performs for `operation` called with `params` in `env`.
///
/// `params` may carry `transport`, which is ignored here: the transport is `env`'s business.
pub fn authorization_checks(
    operation: &str,
    params: &Params,
    env: &CallEnv,
) -> Result<Vec<AuthorizationCheck>, CatalogueError> {
    let spec = find(operation).ok_or_else(|| CatalogueError::UnknownOperation {
        operation: operation.to_owned(),
    })?;
    validate_params(spec, params)?;

    (spec.checks)(&Call { spec, params, env })
}

fn validate_params(spec: &'static OperationSpec, params: &Params) -> Result<(), CatalogueError> {
    for (name, value) in params {
        let expected = if name == TRANSPORT_PARAM {
            ParamType::Str
        } else {
            let param = spec
                .param(name)
                .ok_or_else(|| CatalogueError::UnknownParameter {
                    operation: spec.name,
                    parameter: name.clone(),
                })?;
            param.param_type
        };
        if value.param_type() != expected {
            return Err(CatalogueError::WrongType {
                operation: spec.name,
                parameter: name.clone(),
                expected,
                found: value.param_type(),
            });
        }
    }

    let missing = spec
        .params
        .iter()
        .find(|param| param.required && !params.contains_key(param.name));
    match missing {
        Some(param) => Err(CatalogueError::MissingParameter {
            operation: spec.name,
            parameter: param.name,
        }),
        None => Ok(()),
    }
}

fn param_names(operation: &str) -> String {
    let names = find(operation).map(|spec| spec.params.iter().map(|param| param.name));
    backticked(names.into_iter().flatten().chain([TRANSPORT_PARAM]))
}

fn backticked<'a>(names: impl Iterator<Item = &'a str>) -> String {
    names
        .map(|name| format!("`{name}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// One validated call on its way to becoming authorization checks.
struct Call<'a> {
    spec: &'static OperationSpec,
    params: &'a Params,
    env: &'a CallEnv,
}

impl Call<'_> {
    fn bool(&self, name: &str) -> Option<bool> {
        match self.params.get(name) {
            Some(ParamValue::Bool(value)) => Some(*value),
            _ => None,
        }
    }

    fn int(&self, name: &str) -> Option<i64> {
        match self.params.get(name) {
            Some(ParamValue::Int(value)) => Some(*value),
            _ => None,
        }
    }

    fn str(&self, name: &str) -> Option<&str> {
        match self.params.get(name) {
            Some(ParamValue::Str(value)) => Some(value),
            _ => None,
        }
    }

    fn required_bool(&self, name: &'static str) -> Result<bool, CatalogueError> {
        self.bool(name).ok_or(CatalogueError::MissingParameter {
            operation: self.spec.name,
            parameter: name,
        })
    }

    fn required_str(&self, name: &'static str) -> Result<&str, CatalogueError> {
        self.str(name).ok_or(CatalogueError::MissingParameter {
            operation: self.spec.name,
            parameter: name,
        })
    }

    /// The id parameter `name`, or `*` when the call does not name the resource.
    fn id_or_wildcard(&self, name: &str) -> &str {
        self.str(name).unwrap_or("*")
    }

    /// The partition of the call's region, the second field of every ARN.
    fn partition(&self) -> &'static str {
        partition_of(&self.env.region)
    }

    /// A check of `resource` carrying the global keys and `keys`.
    fn check(
        &self,
        resource_role: &'static str,
        resource: String,
        keys: Vec<(&str, String)>,
    ) -> AuthorizationCheck {
        let mut context = self.global_context();
        for (key, value) in keys {
            context.insert_single(key, value);
        }

        AuthorizationCheck {
            resource_role,
            request: Request {
                principal_arn: self.env.principal_arn.clone(),
                account_id: self.env.account_id.clone(),
                action: self.spec.name.to_owned(),
                resource,
                context,
            },
        }
    }

    fn global_context(&self) -> Context {
        let mut context = Context::new();
        context.insert_single("aws:SecureTransport", bool_text(self.env.secure_transport));
        context.insert_single("aws:PrincipalArn", self.env.principal_arn.clone());
        context.insert_single("aws:PrincipalAccount", self.env.account_id.clone());
        context.insert_single("aws:RequestedRegion", self.env.region.clone());
        context
    }
}

/// The partition a region belongs to; regions outside the named prefixes are in `aws`.
fn partition_of(region: &str) -> &'static str {
    const PREFIXES: [(&str, &str); 6] = [
        ("cn-", "aws-cn"),
        ("us-gov-", "aws-us-gov"),
        ("us-isob-", "aws-iso-b"),
        ("us-isof-", "aws-iso-f"),
        ("us-iso-", "aws-iso"),
        ("eu-isoe-", "aws-iso-e"),
    ];
    PREFIXES
        .iter()
        .find(|(prefix, _)| region.starts_with(prefix))
        .map_or("aws", |(_, partition)| partition)
}

/// A boolean as a condition key value, the way the Bool operator reads it.
fn bool_text(value: bool) -> String {
    if value { "true" } else { "false" }.to_owned()
}

#[cfg(test)]
pub(crate) mod test_support {
    //! Helpers shared by the catalogue's unit tests.

    use scpcheck_policy::ContextValue;

    use super::{AuthorizationCheck, CallEnv, authorization_checks};
    use crate::{ParamValue, Params};

    pub(crate) fn env() -> CallEnv {
        CallEnv {
            region: "eu-central-1".to_owned(),
            account_id: "111122223333".to_owned(),
            principal_arn: "arn:aws:iam::111122223333:role/Deployer".to_owned(),
            secure_transport: true,
            ebs_encryption_by_default: false,
        }
    }

    pub(crate) fn params(pairs: &[(&str, ParamValue)]) -> Params {
        pairs
            .iter()
            .map(|(name, value)| ((*name).to_owned(), value.clone()))
            .collect()
    }

    pub(crate) fn checks(
        operation: &str,
        pairs: &[(&str, ParamValue)],
        env: &CallEnv,
    ) -> Vec<AuthorizationCheck> {
        authorization_checks(operation, &params(pairs), env).unwrap()
    }

    /// The check for `role`, which must be the only one with that role.
    pub(crate) fn only<'a>(checks: &'a [AuthorizationCheck], role: &str) -> &'a AuthorizationCheck {
        let found: Vec<_> = checks
            .iter()
            .filter(|check| check.resource_role == role)
            .collect();
        assert_eq!(found.len(), 1, "checks with role `{role}`: {checks:#?}");
        found[0]
    }

    /// The single value of `key` in the check, or `None` when the key is absent.
    pub(crate) fn key(check: &AuthorizationCheck, key: &str) -> Option<String> {
        match check.request.context.get(key) {
            Some(ContextValue::Single(value)) => Some(value.clone()),
            Some(ContextValue::Multi(values)) => panic!("`{key}` is multi-valued: {values:?}"),
            None => None,
        }
    }

    /// The service keys of a check: every key without the `aws:` prefix.
    pub(crate) fn service_keys(check: &AuthorizationCheck) -> Vec<(String, String)> {
        check
            .request
            .context
            .iter()
            .filter(|(name, _)| !name.starts_with("aws:"))
            .map(|(name, value)| match value {
                ContextValue::Single(value) => (name.to_owned(), value.clone()),
                ContextValue::Multi(values) => (name.to_owned(), values.join(",")),
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::test_support::{checks, env, key, params};
    use super::*;

    #[test]
    fn every_operation_is_found_by_its_name() {
        for spec in operations() {
            assert_eq!(find(spec.name).map(|found| found.name), Some(spec.name));
            assert_eq!(spec.name.split(':').next(), Some(spec.service));
        }
        assert!(find("ec2:createvolume").is_none());
    }

    #[test]
    fn every_check_carries_the_global_keys() {
        let env = CallEnv {
            secure_transport: false,
            ..env()
        };
        for check in checks("ec2:RunInstances", &[], &env) {
            assert_eq!(key(&check, "aws:SecureTransport").as_deref(), Some("false"));
            assert_eq!(
                key(&check, "aws:PrincipalArn"),
                Some(env.principal_arn.clone())
            );
            assert_eq!(
                key(&check, "aws:PrincipalAccount"),
                Some(env.account_id.clone())
            );
            assert_eq!(key(&check, "aws:RequestedRegion"), Some(env.region.clone()));
            assert_eq!(check.request.action, "ec2:RunInstances");
            assert_eq!(check.request.principal_arn, env.principal_arn);
            assert_eq!(check.request.account_id, env.account_id);
        }
    }

    #[test]
    fn an_unknown_operation_is_refused_with_the_known_ones() {
        let error = authorization_checks("ec2:DeleteVolume", &Params::new(), &env()).unwrap_err();

        assert_eq!(error.to_string(), "unknown operation `ec2:DeleteVolume`");
        let help = miette::Diagnostic::help(&error).unwrap().to_string();
        assert!(help.starts_with("known operations: `ec2:RunInstances`, `ec2:CreateVolume`"));
    }

    #[test]
    fn an_unknown_parameter_is_refused() {
        let params = params(&[("encrypt", true.into())]);
        let error = authorization_checks("ec2:CreateVolume", &params, &env()).unwrap_err();

        assert_eq!(
            error.to_string(),
            "unknown parameter `encrypt` for `ec2:CreateVolume`"
        );
        let help = miette::Diagnostic::help(&error).unwrap().to_string();
        assert_eq!(
            help,
            "parameters of `ec2:CreateVolume`: `encrypted`, `volume_type`, `size`, `iops`, \
             `transport`"
        );
    }

    #[test]
    fn a_value_of_the_wrong_type_is_refused() {
        let params = params(&[("encrypted", "yes".into())]);
        let error = authorization_checks("ec2:CreateVolume", &params, &env()).unwrap_err();

        assert_eq!(
            error.to_string(),
            "parameter `encrypted` of `ec2:CreateVolume` must be a boolean, found a string"
        );
    }

    #[test]
    fn a_missing_required_parameter_is_refused() {
        let error = authorization_checks("ec2:CreateSnapshot", &Params::new(), &env()).unwrap_err();

        assert_eq!(
            error.to_string(),
            "missing parameter `source_volume_encrypted` for `ec2:CreateSnapshot`"
        );
    }

    #[test]
    fn transport_is_accepted_as_a_string_and_ignored() {
        let with = params(&[("transport", "http".into())]);
        assert_eq!(
            authorization_checks("s3:GetObject", &with, &env()),
            authorization_checks("s3:GetObject", &Params::new(), &env())
        );

        let wrong = params(&[("transport", true.into())]);
        assert!(matches!(
            authorization_checks("s3:GetObject", &wrong, &env()),
            Err(CatalogueError::WrongType { .. })
        ));
    }

    #[test]
    fn the_partition_follows_the_region() {
        assert_eq!(partition_of("eu-central-1"), "aws");
        assert_eq!(partition_of("cn-north-1"), "aws-cn");
        assert_eq!(partition_of("us-gov-west-1"), "aws-us-gov");
        assert_eq!(partition_of("us-iso-east-1"), "aws-iso");
        assert_eq!(partition_of("us-isob-east-1"), "aws-iso-b");
    }
}
