//! EC2 operations: launching instances and creating volumes and snapshots.
//!
//! Resources and condition keys follow the Service Authorization Reference page "Actions,
//! resources, and condition keys for Amazon EC2"
//! (<https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonec2.html>).

use super::ParamType::{Bool, Int, Str};
use super::{AuthorizationCheck, Call, CatalogueError, OperationSpec, ParamSpec, bool_text};

/// `RunInstances`: the instance, its volumes, the image it boots from, and the subnet, network
/// interface and security group it is placed in; `ec2:Encrypted` is a key of the volume.
pub(super) static RUN_INSTANCES: OperationSpec = OperationSpec {
    name: "ec2:RunInstances",
    service: "ec2",
    params: &[
        ParamSpec::optional("root_volume_encrypted", Bool),
        ParamSpec::id("image_id"),
    ],
    checks: run_instances,
};

/// `CreateVolume`: the volume, with `ec2:Encrypted`, `ec2:VolumeType` and `ec2:VolumeSize`.
pub(super) static CREATE_VOLUME: OperationSpec = OperationSpec {
    name: "ec2:CreateVolume",
    service: "ec2",
    params: &[
        ParamSpec::optional("encrypted", Bool),
        ParamSpec::optional("volume_type", Str),
        ParamSpec::optional("size", Int),
        ParamSpec::optional("iops", Int),
    ],
    checks: create_volume,
};

/// `CreateSnapshot`: the new snapshot and the source volume, both with `ec2:Encrypted`.
pub(super) static CREATE_SNAPSHOT: OperationSpec = OperationSpec {
    name: "ec2:CreateSnapshot",
    service: "ec2",
    params: &[
        ParamSpec::required("source_volume_encrypted", Bool),
        ParamSpec::id("volume_id"),
    ],
    checks: create_snapshot,
};

/// `CreateSnapshots`: the source instance, its volumes and the new snapshots; the volumes and
/// snapshots carry `ec2:Encrypted`.
pub(super) static CREATE_SNAPSHOTS: OperationSpec = OperationSpec {
    name: "ec2:CreateSnapshots",
    service: "ec2",
    params: &[
        ParamSpec::required("source_volume_encrypted", Bool),
        ParamSpec::id("instance_id"),
    ],
    checks: create_snapshots,
};

/// The volume type AWS uses when `CreateVolume` names none.
const DEFAULT_VOLUME_TYPE: &str = "gp2";

/// The provisioned IOPS a `CreateVolume` call sends for an `io1` or `io2` volume whose case
/// gives none: the EC2 API requires `Iops` for those types, and 100 is their smallest value.
pub const DEFAULT_PROVISIONED_IOPS: i64 = 100;

/// The `Iops` a `CreateVolume` call with these parameters sends: the case's `iops`, else
/// [`DEFAULT_PROVISIONED_IOPS`] for the provisioned-IOPS types, else none.
pub fn create_volume_iops(volume_type: Option<&str>, iops: Option<i64>) -> Option<i64> {
    iops.or_else(|| matches!(volume_type, Some("io1" | "io2")).then_some(DEFAULT_PROVISIONED_IOPS))
}

fn run_instances(call: &Call<'_>) -> Result<Vec<AuthorizationCheck>, CatalogueError> {
    let encrypted = effective_encryption(call, "root_volume_encrypted");
    let image = format!("image/{}", call.id_or_wildcard("image_id"));

    Ok(vec![
        call.check("instance", account_arn(call, "instance/*"), vec![]),
        call.check(
            "volume",
            account_arn(call, "volume/*"),
            vec![encrypted_key(encrypted)],
        ),
        call.check("image", regional_arn(call, &image), vec![]),
        call.check("subnet", account_arn(call, "subnet/*"), vec![]),
        call.check(
            "network-interface",
            account_arn(call, "network-interface/*"),
            vec![],
        ),
        call.check(
            "security-group",
            account_arn(call, "security-group/*"),
            vec![],
        ),
    ])
}

fn create_volume(call: &Call<'_>) -> Result<Vec<AuthorizationCheck>, CatalogueError> {
    let volume_type = call.str("volume_type").unwrap_or(DEFAULT_VOLUME_TYPE);
    let mut keys = vec![
        encrypted_key(effective_encryption(call, "encrypted")),
        ("ec2:VolumeType", volume_type.to_owned()),
    ];
    // AWS derives the size from a source snapshot when none is given, which a call without
    // a size does not tell us, so the key is left out rather than guessed.
    if let Some(size) = call.int("size") {
        keys.push(("ec2:VolumeSize", size.to_string()));
    }
    if let Some(iops) = create_volume_iops(call.str("volume_type"), call.int("iops")) {
        keys.push(("ec2:VolumeIops", iops.to_string()));
    }

    Ok(vec![call.check(
        "volume",
        account_arn(call, "volume/*"),
        keys,
    )])
}

fn create_snapshot(call: &Call<'_>) -> Result<Vec<AuthorizationCheck>, CatalogueError> {
    let encrypted = call.required_bool("source_volume_encrypted")?;
    let volume = format!("volume/{}", call.id_or_wildcard("volume_id"));

    Ok(vec![
        call.check(
            "snapshot",
            regional_arn(call, "snapshot/*"),
            vec![encrypted_key(encrypted)],
        ),
        call.check(
            "volume",
            account_arn(call, &volume),
            vec![encrypted_key(encrypted)],
        ),
    ])
}

fn create_snapshots(call: &Call<'_>) -> Result<Vec<AuthorizationCheck>, CatalogueError> {
    let encrypted = call.required_bool("source_volume_encrypted")?;
    let instance = format!("instance/{}", call.id_or_wildcard("instance_id"));

    Ok(vec![
        call.check("instance", account_arn(call, &instance), vec![]),
        call.check(
            "volume",
            account_arn(call, "volume/*"),
            vec![encrypted_key(encrypted)],
        ),
        call.check(
            "snapshot",
            regional_arn(call, "snapshot/*"),
            vec![encrypted_key(encrypted)],
        ),
    ])
}

/// Whether the new volume is encrypted: the parameter when sent, else the account's EBS
/// encryption by default.
// Limitation: when EBS encryption by default is enabled and the call sends `false`, AWS still
// encrypts the volume; this model reports the `false` that was sent as `ec2:Encrypted`, so a
// `Bool` condition on `false` denies such a call here although the volume would be encrypted.
fn effective_encryption(call: &Call<'_>, param: &str) -> bool {
    call.bool(param)
        .unwrap_or(call.env.ebs_encryption_by_default)
}

fn encrypted_key(encrypted: bool) -> (&'static str, String) {
    ("ec2:Encrypted", bool_text(encrypted))
}

/// An ARN of a resource owned by the calling account, e.g. a volume.
fn account_arn(call: &Call<'_>, resource: &str) -> String {
    format!(
        "arn:{partition}:ec2:{region}:{account}:{resource}",
        partition = call.partition(),
        region = call.env.region,
        account = call.env.account_id,
    )
}

/// An ARN without an account, as AWS writes images and snapshots.
fn regional_arn(call: &Call<'_>, resource: &str) -> String {
    format!(
        "arn:{partition}:ec2:{region}::{resource}",
        partition = call.partition(),
        region = call.env.region
    )
}

#[cfg(test)]
mod tests {
    use crate::catalogue::CallEnv;
    use crate::catalogue::test_support::{checks, env, key, only, service_keys};

    const ACCOUNT: &str = "arn:aws:ec2:eu-central-1:111122223333";

    #[test]
    fn run_instances_checks_every_resource_it_touches() {
        let checks = checks(
            "ec2:RunInstances",
            &[("image_id", "ami-0abc".into())],
            &env(),
        );

        let resources: Vec<_> = checks
            .iter()
            .map(|check| (check.resource_role, check.request.resource.as_str()))
            .collect();
        assert_eq!(
            resources,
            vec![
                (
                    "instance",
                    "arn:aws:ec2:eu-central-1:111122223333:instance/*"
                ),
                ("volume", "arn:aws:ec2:eu-central-1:111122223333:volume/*"),
                ("image", "arn:aws:ec2:eu-central-1::image/ami-0abc"),
                ("subnet", "arn:aws:ec2:eu-central-1:111122223333:subnet/*"),
                (
                    "network-interface",
                    "arn:aws:ec2:eu-central-1:111122223333:network-interface/*"
                ),
                (
                    "security-group",
                    "arn:aws:ec2:eu-central-1:111122223333:security-group/*"
                ),
            ]
        );
    }

    #[test]
    fn run_instances_puts_encryption_on_the_volume_only() {
        let checks = checks(
            "ec2:RunInstances",
            &[("root_volume_encrypted", true.into())],
            &env(),
        );

        for check in &checks {
            let expected = match check.resource_role {
                "volume" => vec![("ec2:Encrypted".to_owned(), "true".to_owned())],
                _ => vec![],
            };
            assert_eq!(service_keys(check), expected, "{}", check.resource_role);
        }
    }

    #[test]
    fn run_instances_without_an_image_uses_a_wildcard_image() {
        let checks = checks("ec2:RunInstances", &[], &env());

        let image = only(&checks, "image");
        assert_eq!(image.request.resource, "arn:aws:ec2:eu-central-1::image/*");
    }

    #[test]
    fn an_absent_root_volume_setting_follows_encryption_by_default() {
        let off = checks("ec2:RunInstances", &[], &env());
        let on_env = CallEnv {
            ebs_encryption_by_default: true,
            ..env()
        };
        let on = checks("ec2:RunInstances", &[], &on_env);
        let sent = checks(
            "ec2:RunInstances",
            &[("root_volume_encrypted", false.into())],
            &on_env,
        );

        assert_eq!(
            key(only(&off, "volume"), "ec2:Encrypted").as_deref(),
            Some("false")
        );
        assert_eq!(
            key(only(&on, "volume"), "ec2:Encrypted").as_deref(),
            Some("true")
        );
        assert_eq!(
            key(only(&sent, "volume"), "ec2:Encrypted").as_deref(),
            Some("false")
        );
    }

    #[test]
    fn create_volume_sends_every_key_it_is_given() {
        let params = [
            ("encrypted", true.into()),
            ("volume_type", "io1".into()),
            ("size", 100_i64.into()),
        ];
        let all = checks("ec2:CreateVolume", &params, &env());

        let volume = only(&all, "volume");
        assert_eq!(all.len(), 1);
        assert_eq!(volume.request.resource, format!("{ACCOUNT}:volume/*"));
        assert_eq!(volume.request.action, "ec2:CreateVolume");
        assert_eq!(
            service_keys(volume),
            vec![
                ("ec2:Encrypted".to_owned(), "true".to_owned()),
                ("ec2:VolumeIops".to_owned(), "100".to_owned()),
                ("ec2:VolumeSize".to_owned(), "100".to_owned()),
                ("ec2:VolumeType".to_owned(), "io1".to_owned()),
            ]
        );

        let with_iops = checks(
            "ec2:CreateVolume",
            &[("volume_type", "gp3".into()), ("iops", 4000_i64.into())],
            &env(),
        );
        assert_eq!(
            key(only(&with_iops, "volume"), "ec2:VolumeIops").as_deref(),
            Some("4000")
        );
        let without = checks("ec2:CreateVolume", &[("volume_type", "gp3".into())], &env());
        assert_eq!(key(only(&without, "volume"), "ec2:VolumeIops"), None);
    }

    #[test]
    fn create_volume_defaults_type_and_encryption_and_omits_size() {
        let on_env = CallEnv {
            ebs_encryption_by_default: true,
            ..env()
        };
        let checks = checks("ec2:CreateVolume", &[], &on_env);

        let volume = only(&checks, "volume");
        assert_eq!(key(volume, "ec2:Encrypted").as_deref(), Some("true"));
        assert_eq!(key(volume, "ec2:VolumeType").as_deref(), Some("gp2"));
        assert_eq!(key(volume, "ec2:VolumeSize"), None);
    }

    #[test]
    fn create_snapshot_checks_the_snapshot_and_the_source_volume() {
        let params = [
            ("source_volume_encrypted", false.into()),
            ("volume_id", "vol-1".into()),
        ];
        let checks = checks("ec2:CreateSnapshot", &params, &env());

        assert_eq!(checks.len(), 2);
        let snapshot = only(&checks, "snapshot");
        assert_eq!(
            snapshot.request.resource,
            "arn:aws:ec2:eu-central-1::snapshot/*"
        );
        assert_eq!(key(snapshot, "ec2:Encrypted").as_deref(), Some("false"));
        let volume = only(&checks, "volume");
        assert_eq!(volume.request.resource, format!("{ACCOUNT}:volume/vol-1"));
        assert_eq!(key(volume, "ec2:Encrypted").as_deref(), Some("false"));
    }

    #[test]
    fn create_snapshot_without_a_volume_id_uses_a_wildcard_volume() {
        let checks = checks(
            "ec2:CreateSnapshot",
            &[("source_volume_encrypted", true.into())],
            &env(),
        );

        let volume = only(&checks, "volume");
        assert_eq!(volume.request.resource, format!("{ACCOUNT}:volume/*"));
    }

    #[test]
    fn create_snapshots_checks_instance_volumes_and_snapshots() {
        let params = [
            ("source_volume_encrypted", true.into()),
            ("instance_id", "i-1".into()),
        ];
        let checks = checks("ec2:CreateSnapshots", &params, &env());

        assert_eq!(checks.len(), 3);
        let instance = only(&checks, "instance");
        assert_eq!(instance.request.resource, format!("{ACCOUNT}:instance/i-1"));
        assert_eq!(service_keys(instance), vec![]);
        let volume = only(&checks, "volume");
        assert_eq!(volume.request.resource, format!("{ACCOUNT}:volume/*"));
        assert_eq!(key(volume, "ec2:Encrypted").as_deref(), Some("true"));
        let snapshot = only(&checks, "snapshot");
        assert_eq!(
            snapshot.request.resource,
            "arn:aws:ec2:eu-central-1::snapshot/*"
        );
        assert_eq!(key(snapshot, "ec2:Encrypted").as_deref(), Some("true"));
    }

    #[test]
    fn create_snapshots_without_an_instance_id_uses_a_wildcard_instance() {
        let checks = checks(
            "ec2:CreateSnapshots",
            &[("source_volume_encrypted", true.into())],
            &env(),
        );

        let instance = only(&checks, "instance");
        assert_eq!(instance.request.resource, format!("{ACCOUNT}:instance/*"));
    }

    #[test]
    fn arns_follow_the_partition_of_the_region() {
        let china = CallEnv {
            region: "cn-north-1".to_owned(),
            ..env()
        };
        let checks = checks("ec2:CreateVolume", &[], &china);

        let volume = only(&checks, "volume");
        assert_eq!(
            volume.request.resource,
            "arn:aws-cn:ec2:cn-north-1:111122223333:volume/*"
        );
    }
}
