use super::*;

#[test]
fn callers_give_their_principal_arn_key_and_account() {
    let keys =
        |arn: &str| read_caller(arn).map(|caller| (caller.principal_arn_key, caller.account));
    assert_eq!(
        keys("arn:aws:sts::111122223333:assumed-role/Admin/alice"),
        Ok((
            "arn:aws:iam::111122223333:role/Admin".to_owned(),
            "111122223333".to_owned()
        ))
    );
    for same in [
        "arn:aws:iam::111122223333:role/team/Admin",
        "arn:aws:iam::111122223333:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS",
        "arn:aws:iam::111122223333:user/bob",
        "arn:aws:iam::111122223333:root",
        "arn:aws-cn:sts::111122223333:federated-user/carol",
    ] {
        assert_eq!(keys(same), Ok((same.to_owned(), "111122223333".to_owned())));
    }
}

#[test]
fn callers_are_refused_with_what_is_wrong() {
    for (arn, problem) in [
        ("notanarn", "not an ARN: expected an IAM user or role"),
        ("", "not an ARN"),
        ("*", "not an ARN"),
        ("111122223333", "not an ARN"),
        ("ARN:AWS:IAM::111122223333:ROLE/Reader", "not an ARN"),
        (
            "arn:aws:iam::abc:role/Reader",
            "`abc` is not an account id: expected 12 digits",
        ),
        (
            "arn:aws:iam::12345:role/Reader",
            "`12345` is not an account id",
        ),
        ("arn:aws:iam:::role/Reader", "`` is not an account id"),
        (
            "arn:aws:iam:us-east-1:111122223333:role/Reader",
            "IAM and STS ARNs have no region, found `us-east-1`",
        ),
        (
            "arn:aws:iam::111122223333:group/devs",
            "an IAM user group cannot make requests",
        ),
        ("arn:aws:iam::111122223333:role/", "`role/` names no caller"),
        (
            "arn:aws:sts::111122223333:assumed-role/Admin",
            "`assumed-role/Admin` names no caller",
        ),
        (
            "arn:aws:ec2:us-east-1:111122223333:instance/i-1",
            "`ec2` is not a service of callers",
        ),
        ("logging.s3.amazonaws.com", "not an ARN"),
    ] {
        let found = read_caller(arn).unwrap_err();
        assert!(found.starts_with(problem), "{arn}: {found}");
    }
}

#[test]
fn an_action_is_one_service_action() {
    for accepted in [
        "s3:GetObject",
        "elasticfilesystem:CreateFileSystem",
        "s3-object-lambda:GetObject",
    ] {
        assert_eq!(check_action(accepted), Ok(()), "{accepted}");
    }
    for refused in [
        "s3:*",
        "s3:Get*",
        "s3:Get?bject",
        "not an action",
        "s3",
        "",
        "s3:",
        ":Get",
    ] {
        assert!(check_action(refused).is_err(), "{refused}");
    }
    assert_eq!(
        check_action("s3:a:b"),
        Err(
            "expected one action as `service:Action`, without wildcards, e.g. `s3:GetObject`"
                .to_owned()
        )
    );
}

#[test]
fn a_resource_is_a_wildcard_or_an_arn() {
    for accepted in [
        "*",
        "arn:aws:s3:::bucket",
        "arn:aws:s3:::bucket/key with spaces",
        "arn:aws:ec2:eu-central-1:111122223333:volume/*",
        "arn:aws:ec2:eu-central-1::snapshot/snap-1",
        "arn:aws:rds:eu-central-1:111122223333:cluster:name",
    ] {
        assert_eq!(check_resource(accepted), Ok(()), "{accepted}");
    }
    for refused in [
        "",
        "notarn",
        "arn:aws:ec2",
        "arn:aws:s3:::",
        "arn::s3:::bucket",
        "arn:aws::::bucket",
        "**",
        "volume/*",
    ] {
        assert!(check_resource(refused).is_err(), "{refused}");
    }
}

#[test]
fn condition_keys_have_a_prefix_a_name_and_an_optional_qualifier() {
    for accepted in [
        "aws:SecureTransport",
        "ec2:Encrypted",
        "s3:x-amz-server-side-encryption",
        "aws:PrincipalTag/cost center",
        "aws:ResourceTag/aws:cloudformation:stack-name",
        "kms:EncryptionContext:aws:pi",
        "s3:ExistingObjectTag/Team",
        "aws:RequestTag/é=+-@.:/x",
        "token.actions.githubusercontent.com:sub",
        "cognito-identity.amazonaws.com:aud",
        "www.amazon.com:app_id",
        "oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE:sub",
    ] {
        assert_eq!(check_context_key(accepted), Ok(()), "{accepted}");
    }
    for refused in [
        "SecureTransport",
        "bad key",
        ":Encrypted",
        "ec2:",
        "ec2:Encrypted[]x",
        "ec2:Encry pted",
        "aws:PrincipalTag/",
        "aws:PrincipalTag/a[]",
        "a b:c",
    ] {
        let found = check_context_key(refused).unwrap_err();
        assert_eq!(
            found,
            format!(
                "`{refused}` is not a condition key: keys look like `aws:SecureTransport` or \
                 `aws:PrincipalTag/team`"
            )
        );
    }
}
