//! The gateway in front of a real moto: authentication, SCP enforcement through the
//! Organizations path, native error shapes and HTTPS.

mod support;

use http::{Method, StatusCode};
use scpcheck_policy::Decision;
use support::{
    Call, Endpoint, Keys, Moto, assume_member_role, attach_scp, management_keys,
    organization_with_member, organizations, send, start_gateway,
};

const DENY_UNENCRYPTED_EC2: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny",
 "Action":["ec2:CreateSnapshots","ec2:CreateSnapshot","ec2:RunInstances","ec2:CreateVolume"],
 "Resource":"*","Condition":{"Bool":{"ec2:Encrypted":"false"}}}]}"#;

const DENY_INSECURE_S3: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny",
 "Action":"s3:*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}"#;

const DENY_UNENCRYPTED_STORAGE: &str = r#"{"Version":"2012-10-17","Statement":[
 {"Effect":"Deny","Action":"elasticfilesystem:CreateFileSystem","Resource":"*",
  "Condition":{"Bool":{"elasticfilesystem:Encrypted":"false"}}},
 {"Effect":"Deny","Action":["rds:CreateDBCluster","rds:RestoreDBClusterFromS3"],"Resource":"*",
  "Condition":{"Bool":{"rds:StorageEncrypted":"false"}}}]}"#;

fn create_volume(encrypted: Option<&str>) -> Call {
    let mut params = vec![("AvailabilityZone", "eu-central-1a"), ("Size", "8")];
    if let Some(value) = encrypted {
        params.push(("Encrypted", value));
    }
    Call::ec2("CreateVolume", &params)
}

#[tokio::test]
async fn refuses_what_it_cannot_authenticate_or_evaluate() {
    let Some(moto) = Moto::start("refuses_what_it_cannot_authenticate_or_evaluate") else {
        return;
    };
    let gateway = start_gateway(&moto).await;
    let http = Endpoint::http(&gateway);

    let unsigned = send(&http, &create_volume(Some("true")), None).await;
    assert_eq!(unsigned.status, StatusCode::UNAUTHORIZED);
    assert_eq!(unsigned.xml_text("Code").as_deref(), Some("AuthFailure"));

    let wrong_secret = Keys {
        secret_access_key: "not-the-secret".to_owned(),
        ..management_keys()
    };
    let bad = send(&http, &create_volume(Some("true")), Some(&wrong_secret)).await;
    assert_eq!(bad.status, StatusCode::UNAUTHORIZED);
    assert_eq!(bad.xml_text("Code").as_deref(), Some("AuthFailure"));

    let stranger = Keys {
        access_key_id: "AKIASTRANGER0000000".to_owned(),
        ..management_keys()
    };
    let s3_put = Call {
        method: Method::PUT,
        path_and_query: "/bucket/key".to_owned(),
        headers: vec![],
        body: b"data".to_vec(),
        service: "s3",
    };
    let unknown = send(&http, &s3_put, Some(&stranger)).await;
    assert_eq!(unknown.status, StatusCode::FORBIDDEN);
    assert_eq!(
        unknown.xml_text("Code").as_deref(),
        Some("InvalidAccessKeyId")
    );

    let bad_s3 = send(&http, &s3_put, Some(&wrong_secret)).await;
    assert_eq!(
        bad_s3.xml_text("Code").as_deref(),
        Some("SignatureDoesNotMatch")
    );

    let describe = send(
        &http,
        &Call::ec2("DescribeVolumes", &[]),
        Some(&management_keys()),
    )
    .await;
    assert_eq!(describe.status, StatusCode::BAD_REQUEST);
    assert_eq!(describe.xml_text("Code").as_deref(), Some("InvalidAction"));

    let efs_unsigned = Call {
        method: Method::POST,
        path_and_query: "/2015-02-01/file-systems".to_owned(),
        headers: vec![("content-type", "application/json".to_owned())],
        body: br#"{"CreationToken":"t"}"#.to_vec(),
        service: "elasticfilesystem",
    };
    let answer = send(&http, &efs_unsigned, None).await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN);
    assert_eq!(
        answer.headers["x-amzn-errortype"],
        "MissingAuthenticationTokenException"
    );

    assert!(gateway.decisions().is_empty());
    gateway.shutdown().await;
}

#[tokio::test]
async fn enforces_ec2_scps_attached_through_the_gateway() {
    let Some(moto) = Moto::start("enforces_ec2_scps_attached_through_the_gateway") else {
        return;
    };
    let gateway = start_gateway(&moto).await;
    let http = Endpoint::http(&gateway);
    let management = management_keys();

    let (member, root_id) = organization_with_member(&http).await;
    let member_keys = assume_member_role(&http, &member).await;

    let before = send(&http, &create_volume(Some("false")), Some(&member_keys)).await;
    assert_eq!(before.status, StatusCode::OK, "{}", before.body);

    attach_scp(
        &http,
        "deny-unencrypted-ec2",
        DENY_UNENCRYPTED_EC2,
        &root_id,
    )
    .await;

    let encrypted = send(&http, &create_volume(Some("true")), Some(&member_keys)).await;
    assert_eq!(encrypted.status, StatusCode::OK, "{}", encrypted.body);
    assert_eq!(encrypted.xml_text("encrypted").as_deref(), Some("true"));

    let unencrypted = send(&http, &create_volume(Some("false")), Some(&member_keys)).await;
    assert_eq!(unencrypted.status, StatusCode::FORBIDDEN);
    assert_eq!(
        unencrypted.xml_text("Code").as_deref(),
        Some("UnauthorizedOperation")
    );
    let decisions = gateway.decisions();
    let denied = decisions.last().unwrap();
    assert_eq!(denied.operation, "ec2:CreateVolume");
    assert_eq!(denied.decision, Decision::Deny);
    assert_eq!(denied.account_id, member);
    assert_eq!(
        denied.principal_arn,
        format!("arn:aws:iam::{member}:role/OrganizationAccountAccessRole")
    );
    assert!(
        denied.explanation.contains("ec2:Encrypted"),
        "{}",
        denied.explanation
    );

    // Without `Encrypted` the account's default (off) applies.
    let defaulted = send(&http, &create_volume(None), Some(&member_keys)).await;
    assert_eq!(defaulted.status, StatusCode::FORBIDDEN);

    // SCPs do not restrict the management account.
    let management_call = send(&http, &create_volume(Some("false")), Some(&management)).await;
    assert_eq!(
        management_call.status,
        StatusCode::OK,
        "{}",
        management_call.body
    );

    // A snapshot of the unencrypted volume made before the SCP is denied; the volume's
    // encryption is read from the emulator.
    let volume_id = before.xml_text("volumeId").unwrap();
    let snapshot = Call::ec2("CreateSnapshot", &[("VolumeId", &volume_id)]);
    let answer = send(&http, &snapshot, Some(&member_keys)).await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN, "{}", answer.body);
    let decisions = gateway.decisions();
    let recorded = &decisions.last().unwrap().params;
    assert_eq!(recorded["source_volume_encrypted"].to_string(), "false");

    // A volume that does not exist gets the emulator's own answer.
    let missing = Call::ec2("CreateSnapshot", &[("VolumeId", "vol-00000000000000000")]);
    let answer = send(&http, &missing, Some(&member_keys)).await;
    assert_eq!(
        answer.xml_text("Code").as_deref(),
        Some("InvalidVolume.NotFound")
    );

    run_instances_follow_the_root_device(&gateway, &moto, &http, &member_keys).await;
    gateway.shutdown().await;
}

#[expect(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "a step of a test, which stops at the first surprise"
)]
async fn run_instances_follow_the_root_device(
    gateway: &scpcheck_gateway::Gateway,
    moto: &Moto,
    http: &Endpoint,
    keys: &Keys,
) {
    let images = Call::ec2("DescribeImages", &[("Owner.1", "amazon")]);
    // Image lookups are not evaluated operations, so they go to moto directly.
    let direct = Endpoint::Http(moto.url.clone());
    let images = send(&direct, &images, Some(keys)).await;
    let image_id = images.xml_text("imageId").unwrap();
    let root_device = images.xml_text("rootDeviceName").unwrap();

    let launch = |encrypted: &str| {
        Call::ec2(
            "RunInstances",
            &[
                ("ImageId", &image_id),
                ("MinCount", "1"),
                ("MaxCount", "1"),
                ("BlockDeviceMapping.1.DeviceName", &root_device),
                ("BlockDeviceMapping.1.Ebs.Encrypted", encrypted),
                ("BlockDeviceMapping.1.Ebs.VolumeSize", "10"),
            ],
        )
    };
    let allowed = send(http, &launch("true"), Some(keys)).await;
    assert_eq!(allowed.status, StatusCode::OK, "{}", allowed.body);
    let denied = send(http, &launch("false"), Some(keys)).await;
    assert_eq!(denied.status, StatusCode::FORBIDDEN, "{}", denied.body);
    let decisions = gateway.decisions();
    assert_eq!(
        decisions.last().unwrap().params["root_volume_encrypted"].to_string(),
        "false"
    );
}

#[tokio::test]
async fn secure_transport_comes_from_the_listener() {
    let Some(moto) = Moto::start("secure_transport_comes_from_the_listener") else {
        return;
    };
    let gateway = start_gateway(&moto).await;
    let http = Endpoint::http(&gateway);
    let https = Endpoint::https(&gateway);

    let (member, root_id) = organization_with_member(&https).await;
    let member_keys = assume_member_role(&https, &member).await;
    attach_scp(&https, "deny-insecure-s3", DENY_INSECURE_S3, &root_id).await;

    let create_bucket = Call {
        method: Method::PUT,
        path_and_query: "/evidence".to_owned(),
        headers: vec![("content-type", "application/xml".to_owned())],
        body: b"<CreateBucketConfiguration><LocationConstraint>eu-central-1</LocationConstraint>\
</CreateBucketConfiguration>"
            .to_vec(),
        service: "s3",
    };
    let direct = Endpoint::Http(moto.url.clone());
    let created = send(&direct, &create_bucket, Some(&member_keys)).await;
    assert_eq!(created.status, StatusCode::OK, "{}", created.body);

    let put = Call {
        method: Method::PUT,
        path_and_query: "/evidence/report.txt?x-id=PutObject".to_owned(),
        headers: vec![],
        body: b"evidence".to_vec(),
        service: "s3",
    }
    .with_header("x-amz-server-side-encryption", "AES256");

    let insecure = send(&http, &put, Some(&member_keys)).await;
    assert_eq!(insecure.status, StatusCode::FORBIDDEN);
    assert_eq!(insecure.xml_text("Code").as_deref(), Some("AccessDenied"));

    let secure = send(&https, &put, Some(&member_keys)).await;
    assert_eq!(secure.status, StatusCode::OK, "{}", secure.body);

    let get = Call {
        method: Method::GET,
        path_and_query: "/evidence/report.txt?x-id=GetObject".to_owned(),
        headers: vec![],
        body: Vec::new(),
        service: "s3",
    };
    let read = send(&https, &get, Some(&member_keys)).await;
    assert_eq!(read.status, StatusCode::OK);
    assert_eq!(read.body, "evidence");

    let decisions = gateway.decisions();
    let transports: Vec<(bool, Decision)> = decisions
        .iter()
        .map(|decision| (decision.secure_transport, decision.decision))
        .collect();
    assert_eq!(
        transports,
        [
            (false, Decision::Deny),
            (true, Decision::Allow),
            (true, Decision::Allow)
        ]
    );
    assert_eq!(decisions[0].params["transport"].to_string(), "http");
    gateway.shutdown().await;
}

#[tokio::test]
async fn denials_come_in_each_services_shape_and_bad_policies_fail_closed() {
    let Some(moto) = Moto::start("denials_come_in_each_services_shape") else {
        return;
    };
    let gateway = start_gateway(&moto).await;
    let http = Endpoint::http(&gateway);

    let (member, root_id) = organization_with_member(&http).await;
    let member_keys = assume_member_role(&http, &member).await;
    attach_scp(
        &http,
        "deny-unencrypted-storage",
        DENY_UNENCRYPTED_STORAGE,
        &root_id,
    )
    .await;

    let file_system = |token: &str, encrypted: bool| Call {
        method: Method::POST,
        path_and_query: "/2015-02-01/file-systems".to_owned(),
        headers: vec![("content-type", "application/json".to_owned())],
        body: format!(r#"{{"CreationToken":"{token}","Encrypted":{encrypted}}}"#).into_bytes(),
        service: "elasticfilesystem",
    };
    let denied = send(&http, &file_system("denied", false), Some(&member_keys)).await;
    assert_eq!(denied.status, StatusCode::FORBIDDEN);
    assert_eq!(denied.headers["x-amzn-errortype"], "AccessDeniedException");
    assert_eq!(denied.json()["ErrorCode"], "AccessDeniedException");
    let allowed = send(&http, &file_system("allowed", true), Some(&member_keys)).await;
    assert!(allowed.status.is_success(), "{}", allowed.body);

    let cluster = |encrypted: &str| {
        Call::query(
            "rds",
            &[
                ("Action", "CreateDBCluster"),
                ("Version", "2014-10-31"),
                ("DBClusterIdentifier", &format!("cluster-{encrypted}")),
                ("Engine", "aurora-postgresql"),
                ("MasterUsername", "admin"),
                ("MasterUserPassword", "password-123"),
                ("StorageEncrypted", encrypted),
            ],
        )
    };
    let denied = send(&http, &cluster("false"), Some(&member_keys)).await;
    assert_eq!(denied.status, StatusCode::FORBIDDEN);
    assert!(
        denied
            .body
            .contains("<ErrorResponse xmlns=\"http://rds.amazonaws.com/doc/2014-10-31/\">")
    );
    assert_eq!(denied.xml_text("Code").as_deref(), Some("AccessDenied"));
    let allowed = send(&http, &cluster("true"), Some(&member_keys)).await;
    assert_eq!(allowed.status, StatusCode::OK, "{}", allowed.body);

    // The emulator accepts a policy that is not valid JSON; the gateway then denies everything
    // it evaluates until the policy is detached.
    let broken_id = attach_scp(&http, "broken", "{ not json", &root_id).await;
    let refused = send(&http, &file_system("refused", true), Some(&member_keys)).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let decisions = gateway.decisions();
    assert!(
        decisions
            .last()
            .unwrap()
            .explanation
            .contains("scps are unknown")
    );

    organizations(
        &http,
        "DetachPolicy",
        serde_json::json!({ "PolicyId": broken_id, "TargetId": root_id }),
    )
    .await;
    let again = send(&http, &file_system("again", true), Some(&member_keys)).await;
    assert!(again.status.is_success(), "{}", again.body);
    gateway.shutdown().await;
}
