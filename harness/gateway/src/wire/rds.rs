//! RDS query-protocol requests: `CreateDBCluster`, `CreateDBInstance` and
//! `RestoreDBClusterFromS3`.

use std::collections::BTreeMap;

use scpcheck_scenario::Params;

use super::{ParsedCall, WireRequest, put_bool, put_str, query_protocol_params, unknown_operation};
use crate::denial::Refusal;

/// Parses an RDS request.
pub(super) fn parse(request: &WireRequest<'_>) -> Result<ParsedCall, Refusal> {
    let wire = query_protocol_params(request)?;
    let action = wire
        .get("Action")
        .ok_or_else(|| unknown_operation("the rds request names no `Action`".to_owned()))?;

    let operation = match action.as_str() {
        "CreateDBCluster" => "rds:CreateDBCluster",
        "CreateDBInstance" => "rds:CreateDBInstance",
        "RestoreDBClusterFromS3" => "rds:RestoreDBClusterFromS3",
        other => {
            return Err(unknown_operation(format!(
                "the gateway does not evaluate rds action `{other}`"
            )));
        }
    };
    Ok(ParsedCall::new(operation, params(&wire, operation)?))
}

fn params(wire: &BTreeMap<String, String>, operation: &str) -> Result<Params, Refusal> {
    let mut params = Params::new();
    put_str(&mut params, "engine", wire.get("Engine"));
    put_bool(
        &mut params,
        "storage_encrypted",
        "StorageEncrypted",
        wire.get("StorageEncrypted"),
    )?;
    put_str(
        &mut params,
        "db_cluster_identifier",
        wire.get("DBClusterIdentifier"),
    );
    if operation == "rds:CreateDBInstance" {
        put_str(
            &mut params,
            "db_instance_identifier",
            wire.get("DBInstanceIdentifier"),
        );
    }
    Ok(params)
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{OwnedRequest, params as expected};
    use super::*;
    use http::Method;

    fn parse_body(body: &str) -> Result<ParsedCall, Refusal> {
        let request = OwnedRequest::new(Method::POST, "/", body.as_bytes());
        parse(&request.wire())
    }

    #[test]
    fn cluster_reads_engine_encryption_and_identifier() {
        let call = parse_body(
            "Action=CreateDBCluster&Version=2014-10-31&DBClusterIdentifier=c1\
             &Engine=aurora-mysql&StorageEncrypted=true&MasterUsername=admin",
        )
        .unwrap();
        assert_eq!(call.operation, "rds:CreateDBCluster");
        assert_eq!(
            call.params,
            expected(&[
                ("db_cluster_identifier", "c1".into()),
                ("engine", "aurora-mysql".into()),
                ("storage_encrypted", true.into()),
            ])
        );
    }

    #[test]
    fn instance_without_encryption_leaves_it_absent() {
        let call = parse_body(
            "Action=CreateDBInstance&DBInstanceIdentifier=i1&Engine=aurora-postgresql\
             &DBClusterIdentifier=c1&DBInstanceClass=db.r5.large",
        )
        .unwrap();
        assert_eq!(
            call.params,
            expected(&[
                ("db_cluster_identifier", "c1".into()),
                ("db_instance_identifier", "i1".into()),
                ("engine", "aurora-postgresql".into()),
            ])
        );
    }

    #[test]
    fn restore_from_s3_is_evaluated_and_others_are_not() {
        let call = parse_body("Action=RestoreDBClusterFromS3&Engine=aurora-mysql").unwrap();
        assert_eq!(call.operation, "rds:RestoreDBClusterFromS3");
        assert!(parse_body("Action=DescribeDBClusters").is_err());
        assert!(parse_body("Action=CreateDBCluster&StorageEncrypted=1").is_err());
    }
}
