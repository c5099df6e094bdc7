//! RDS operations: creating DB clusters and instances, and restoring clusters from S3.
//!
//! Resources and condition keys follow the Service Authorization Reference page "Actions,
//! resources, and condition keys for Amazon RDS"
//! (<https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonrds.html>).

use super::ParamType::{Bool, Str};
use super::{AuthorizationCheck, Call, CatalogueError, OperationSpec, ParamSpec, bool_text};

/// `CreateDBCluster`: the cluster, with `rds:DatabaseEngine` and, only when the call sends
/// `StorageEncrypted`, `rds:StorageEncrypted`.
pub(super) static CREATE_DB_CLUSTER: OperationSpec = OperationSpec {
    name: "rds:CreateDBCluster",
    service: "rds",
    params: &[
        ParamSpec::required("engine", Str),
        ParamSpec::optional("storage_encrypted", Bool),
        ParamSpec::id("db_cluster_identifier"),
    ],
    checks: cluster_checks,
};

/// `CreateDBInstance`: the instance, with `rds:DatabaseEngine` and, only when the call sends
/// `StorageEncrypted`, `rds:StorageEncrypted`.
// Limitation: an Aurora instance names the cluster it joins (`db_cluster_identifier`), and that
// cluster is not checked as a resource of this call: only the instance's ARN is evaluated, so a
// statement that restricts `rds:CreateDBInstance` by the cluster's ARN has no effect here.
pub(super) static CREATE_DB_INSTANCE: OperationSpec = OperationSpec {
    name: "rds:CreateDBInstance",
    service: "rds",
    params: &[
        ParamSpec::required("engine", Str),
        ParamSpec::optional("storage_encrypted", Bool),
        ParamSpec::id("db_instance_identifier"),
        ParamSpec::id("db_cluster_identifier"),
    ],
    checks: create_db_instance,
};

/// `RestoreDBClusterFromS3`: like `CreateDBCluster`, the new cluster with
/// `rds:DatabaseEngine` and, only when sent, `rds:StorageEncrypted`.
pub(super) static RESTORE_DB_CLUSTER_FROM_S3: OperationSpec = OperationSpec {
    name: "rds:RestoreDBClusterFromS3",
    service: "rds",
    params: &[
        ParamSpec::required("engine", Str),
        ParamSpec::optional("storage_encrypted", Bool),
        ParamSpec::id("db_cluster_identifier"),
    ],
    checks: cluster_checks,
};

fn cluster_checks(call: &Call<'_>) -> Result<Vec<AuthorizationCheck>, CatalogueError> {
    let resource = rds_arn(
        call,
        "cluster",
        call.id_or_wildcard("db_cluster_identifier"),
    );
    Ok(vec![call.check(
        "cluster",
        resource,
        engine_and_encryption_keys(call)?,
    )])
}

fn create_db_instance(call: &Call<'_>) -> Result<Vec<AuthorizationCheck>, CatalogueError> {
    let resource = rds_arn(call, "db", call.id_or_wildcard("db_instance_identifier"));
    Ok(vec![call.check(
        "db",
        resource,
        engine_and_encryption_keys(call)?,
    )])
}

/// The engine key always; the encryption key only when the parameter is sent, because AWS puts
/// request parameters in the context only when they are present in the request.
fn engine_and_encryption_keys(
    call: &Call<'_>,
) -> Result<Vec<(&'static str, String)>, CatalogueError> {
    let mut keys = vec![(
        "rds:DatabaseEngine",
        call.required_str("engine")?.to_owned(),
    )];
    if let Some(encrypted) = call.bool("storage_encrypted") {
        keys.push(("rds:StorageEncrypted", bool_text(encrypted)));
    }
    Ok(keys)
}

/// An RDS ARN, whose resource type and name are separated by a colon.
fn rds_arn(call: &Call<'_>, resource_type: &str, name: &str) -> String {
    format!(
        "arn:{partition}:rds:{region}:{account}:{resource_type}:{name}",
        partition = call.partition(),
        region = call.env.region,
        account = call.env.account_id,
    )
}

#[cfg(test)]
mod tests {
    use crate::catalogue::test_support::{checks, env, key, only, service_keys};

    const PREFIX: &str = "arn:aws:rds:eu-central-1:111122223333";

    fn pair(key: &str, value: &str) -> (String, String) {
        (key.to_owned(), value.to_owned())
    }

    #[test]
    fn create_db_cluster_sends_engine_and_encryption() {
        let params = [
            ("engine", "aurora-mysql".into()),
            ("storage_encrypted", false.into()),
            ("db_cluster_identifier", "orders".into()),
        ];
        let checks = checks("rds:CreateDBCluster", &params, &env());

        assert_eq!(checks.len(), 1);
        let cluster = only(&checks, "cluster");
        assert_eq!(cluster.request.resource, format!("{PREFIX}:cluster:orders"));
        assert_eq!(cluster.request.action, "rds:CreateDBCluster");
        assert_eq!(
            service_keys(cluster),
            vec![
                pair("rds:DatabaseEngine", "aurora-mysql"),
                pair("rds:StorageEncrypted", "false")
            ]
        );
    }

    #[test]
    fn storage_encryption_is_absent_when_not_sent() {
        for operation in [
            "rds:CreateDBCluster",
            "rds:RestoreDBClusterFromS3",
            "rds:CreateDBInstance",
        ] {
            let checks = checks(operation, &[("engine", "aurora-postgresql".into())], &env());

            let [check] = checks.as_slice() else {
                panic!("{operation}: {checks:#?}")
            };
            assert_eq!(key(check, "rds:StorageEncrypted"), None, "{operation}");
            assert_eq!(
                key(check, "rds:DatabaseEngine").as_deref(),
                Some("aurora-postgresql")
            );
        }
    }

    #[test]
    fn clusters_without_an_identifier_use_a_wildcard() {
        let checks = checks(
            "rds:RestoreDBClusterFromS3",
            &[("engine", "aurora-mysql".into())],
            &env(),
        );

        let cluster = only(&checks, "cluster");
        assert_eq!(cluster.request.resource, format!("{PREFIX}:cluster:*"));
        assert_eq!(cluster.request.action, "rds:RestoreDBClusterFromS3");
    }

    #[test]
    fn create_db_instance_checks_the_instance() {
        let params = [
            ("engine", "aurora-mysql".into()),
            ("storage_encrypted", true.into()),
            ("db_instance_identifier", "orders-1".into()),
            ("db_cluster_identifier", "orders".into()),
        ];
        let checks = checks("rds:CreateDBInstance", &params, &env());

        assert_eq!(checks.len(), 1);
        let db = only(&checks, "db");
        assert_eq!(db.request.resource, format!("{PREFIX}:db:orders-1"));
        assert_eq!(
            service_keys(db),
            vec![
                pair("rds:DatabaseEngine", "aurora-mysql"),
                pair("rds:StorageEncrypted", "true")
            ]
        );
    }

    #[test]
    fn create_db_instance_without_an_identifier_uses_a_wildcard() {
        let checks = checks(
            "rds:CreateDBInstance",
            &[("engine", "mysql".into())],
            &env(),
        );

        assert_eq!(
            only(&checks, "db").request.resource,
            format!("{PREFIX}:db:*")
        );
    }

    #[test]
    fn the_engine_is_required() {
        let error = crate::catalogue::authorization_checks(
            "rds:CreateDBCluster",
            &crate::Params::new(),
            &env(),
        )
        .unwrap_err();

        assert_eq!(
            error.to_string(),
            "missing parameter `engine` for `rds:CreateDBCluster`"
        );
    }
}
