//! `scpcheck run` as the built binary: its arguments are checked before anything starts, the
//! user's AWS settings do not reach the local run, and failures of the target read as messages,
//! not as dumps of Rust values.
#![expect(
    clippy::unwrap_used,
    reason = "a test fails loudly when its set-up fails"
)]

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Command, Output};

use scpcheck_cli::exit_codes;
use scpcheck_cli::run_arguments::AWS_REGIONS;

/// The repository root, where the bundled `scenarios/` and `policies/` are.
fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// `scpcheck run ARGS` from the repository root, with `env` added to the environment.
fn run(args: &[&str], env: &[(String, String)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_scpcheck"));
    command
        .arg("run")
        .args(args)
        .current_dir(root())
        .env_remove("RUST_LOG");
    for (name, value) in env {
        command.env(name, value);
    }
    command.output().unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn code(output: &Output) -> i32 {
    output.status.code().unwrap()
}

#[test]
fn the_users_aws_settings_do_not_reach_the_emulator_run() {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("run-command-aws-settings");
    std::fs::create_dir_all(&dir).unwrap();
    let config = dir.join("config");
    std::fs::write(
        &config,
        "[default]\nregion = xx-nowhere-9\nendpoint_url = http://127.0.0.1:9\n\
         use_fips_endpoint = true\n",
    )
    .unwrap();
    let credentials = dir.join("credentials");
    std::fs::write(
        &credentials,
        "[default]\naws_access_key_id = AKIAFROMTHEUSERSFILE\n\
         aws_secret_access_key = from-the-users-file\n",
    )
    .unwrap();

    let unreachable = "http://127.0.0.1:9";
    let mut env = vec![
        ("AWS_PROFILE", "doesnotexist"),
        ("AWS_DEFAULT_PROFILE", "doesnotexist"),
        ("AWS_ACCESS_KEY_ID", "AKIAFROMTHEUSERSENV"),
        ("AWS_SECRET_ACCESS_KEY", "from-the-users-environment"),
        ("AWS_SESSION_TOKEN", "from-the-users-environment"),
        ("AWS_REGION", "xx-nowhere-9"),
        ("AWS_DEFAULT_REGION", "xx-nowhere-9"),
        ("AWS_USE_FIPS_ENDPOINT", "true"),
        ("AWS_USE_DUALSTACK_ENDPOINT", "true"),
        ("AWS_ENDPOINT_URL", unreachable),
        ("MOTO_ACCOUNT_ID", "210987654321"),
    ]
    .into_iter()
    .map(|(name, value)| (name.to_string(), value.to_string()))
    .collect::<Vec<_>>();
    env.push(("AWS_CONFIG_FILE".to_string(), config.display().to_string()));
    env.push((
        "AWS_SHARED_CREDENTIALS_FILE".to_string(),
        credentials.display().to_string(),
    ));
    for service in ["S3", "EC2", "RDS", "EFS", "STS", "ORGANIZATIONS", "IAM"] {
        env.push((
            format!("AWS_ENDPOINT_URL_{service}"),
            unreachable.to_string(),
        ));
    }

    let output = run(&["--cases", "1", "--seed", "7"], &env);

    assert_eq!(code(&output), exit_codes::SUCCESS, "{}", stderr(&output));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("target: emulator"), "{stdout}");
}

#[test]
fn a_malformed_emulator_url_is_refused_before_anything_starts() {
    let malformed = [
        "notaurl",
        "127.0.0.1:5000",
        "http://",
        "http://127.0.0.1",
        "http://127.0.0.1:",
        "http://127.0.0.1:notaport",
        "http://127.0.0.1:70000",
        "http://127.0.0.1:5000/prefix",
        "http://127.0.0.1:5000?reset=1",
        "http://user@127.0.0.1:5000",
        "ftp://127.0.0.1:5000",
        "https://127.0.0.1:5000",
        "http://[::1:5000",
    ];
    for url in malformed {
        let output = run(&["--cases", "1", "--emulator-url", url], &[]);

        let message = stderr(&output);
        assert_eq!(code(&output), exit_codes::INVALID_INPUT, "{url}: {message}");
        assert!(message.contains("--emulator-url"), "{url}: {message}");
        // Refused while the arguments were read: the run never announced itself, so it
        // started nothing and waited for nothing.
        assert_eq!(stdout(&output), "", "{url}");
    }
    let both = run(
        &[
            "--target",
            "reference",
            "--emulator-url",
            "http://127.0.0.1:5000",
        ],
        &[],
    );
    assert_eq!(code(&both), exit_codes::INVALID_INPUT);
    assert_eq!(stdout(&both), "");
    assert!(
        stderr(&both).starts_with("error: `--emulator-url` is for `--target emulator`"),
        "{}",
        stderr(&both)
    );
}

#[test]
fn a_well_formed_emulator_url_that_does_not_answer_is_a_target_failure() {
    let output = run(
        &["--cases", "1", "--emulator-url", "http://127.0.0.1:9/"],
        &[],
    );

    let message = stderr(&output);
    assert_eq!(code(&output), exit_codes::TARGET_UNAVAILABLE, "{message}");
    assert!(
        message.contains("`http://127.0.0.1:9/` did not answer"),
        "{message}"
    );
}

#[test]
fn a_region_that_is_not_an_aws_region_is_refused_for_both_targets() {
    for target in ["emulator", "reference"] {
        for region in [
            "xx-nowhere-9",
            "eu-central-99",
            "EU-CENTRAL-1",
            "eu-central",
        ] {
            let output = run(
                &["--cases", "1", "--target", target, "--region", region],
                &[],
            );

            let message = stderr(&output);
            assert_eq!(
                code(&output),
                exit_codes::INVALID_INPUT,
                "{region}: {message}"
            );
            assert!(message.contains("--region"), "{region}: {message}");
            assert!(message.contains(region), "{region}: {message}");
        }
    }
}

#[test]
fn a_known_region_other_than_the_default_runs_against_the_reference() {
    for region in ["us-east-1", "cn-north-1", "us-gov-west-1"] {
        let output = run(
            &["--cases", "1", "--target", "reference", "--region", region],
            &[],
        );

        assert_eq!(
            code(&output),
            exit_codes::SUCCESS,
            "{region}: {}",
            stderr(&output)
        );
    }
}

/// Every region `--region` accepts is one the provisioned moto serves for the services the run
/// calls, as its bundled botocore data says.
#[test]
fn every_accepted_region_is_served_by_the_provisioned_moto() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let installation = runtime
        .block_on(scpcheck_target::emulator::MotoInstallation::provision(
            &scpcheck_target::cache_dir(),
        ))
        .expect("moto is provisioned");
    let python = installation.server_path().with_file_name("python");
    let script = "\
import boto3
session = boto3.Session()
for partition in session.get_available_partitions():
    for service in ('ec2', 's3', 'rds', 'efs', 'sts'):
        for region in session.get_available_regions(service, partition_name=partition):
            print(service, region)
";
    let output = Command::new(python)
        .args(["-c", script])
        .env_clear()
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));

    let served = String::from_utf8(output.stdout).unwrap();
    for region in AWS_REGIONS {
        for service in ["ec2", "s3", "rds", "efs", "sts"] {
            assert!(
                served
                    .lines()
                    .any(|line| line == format!("{service} {region}")),
                "moto does not serve `{service}` in `{region}`"
            );
        }
    }
}

/// What a fake emulator answers `DescribeOrganization` with.
#[derive(Clone, Copy)]
enum Organization {
    /// There is none, as in a fresh moto; every later call fails.
    Missing,
    /// The call fails as every other does.
    Failing,
}

/// A fake emulator on a free loopback port: it answers health checks and moto's reset, and
/// every AWS call with moto's HTML page of an internal server error. Returns its URL.
fn start_failing_emulator(organization: Organization) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            std::thread::spawn(move || answer(stream, organization));
        }
    });
    url
}

fn answer(stream: TcpStream, organization: Organization) {
    let mut reader = BufReader::new(stream);
    let mut request_line = String::new();
    if reader.read_line(&mut request_line).is_err() {
        return;
    }
    let mut length = 0;
    let mut target = String::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).is_err() || line.trim().is_empty() {
            break;
        }
        let (name, value) = line.split_once(':').unwrap_or_default();
        match name.trim().to_ascii_lowercase().as_str() {
            "content-length" => length = value.trim().parse().unwrap_or(0),
            "x-amz-target" => target = value.trim().to_string(),
            _ => {}
        }
    }
    let mut body = vec![0; length];
    let _ = reader.read_exact(&mut body);

    let health =
        request_line.starts_with("GET / ") || request_line.starts_with("POST /moto-api/reset ");
    let missing =
        matches!(organization, Organization::Missing) && target.ends_with(".DescribeOrganization");
    let (status, content_type, body) = if health {
        ("200 OK", "text/plain", "ok".to_string())
    } else if missing {
        (
            "400 Bad Request",
            "application/x-amz-json-1.1",
            r#"{"__type":"AWSOrganizationsNotInUseException","Message":"none"}"#.to_string(),
        )
    } else {
        (
            "500 Internal Server Error",
            "text/html; charset=utf-8",
            "<!doctype html>\n<html lang=en>\n<title>500 Internal Server Error</title>\n\
             <h1>Internal Server Error</h1>\n"
                .to_string(),
        )
    };
    let mut stream = reader.into_inner();
    let _ = write!(
        stream,
        "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {length}\r\n\
         Connection: close\r\n\r\n{body}",
        length = body.len()
    );
}

fn assert_no_debug_dump(message: &str) {
    for dump in [
        "<!doctype",
        "ServiceError",
        "raw:",
        "Response {",
        "ErrorMetadata",
    ] {
        assert!(!message.contains(dump), "`{dump}` in: {message}");
    }
}

#[test]
fn a_failing_sdk_call_is_reported_as_a_readable_message() {
    let url = start_failing_emulator(Organization::Missing);

    let output = run(&["--cases", "1", "--emulator-url", &url], &[]);

    let message = stderr(&output);
    assert_eq!(code(&output), exit_codes::TARGET_UNAVAILABLE, "{message}");
    assert!(
        message.contains("error: setting up the organization failed: CreateOrganization: HTTP 500"),
        "{message}"
    );
    assert_no_debug_dump(&message);
}

#[test]
fn a_gateway_that_cannot_read_the_organization_says_why() {
    let url = start_failing_emulator(Organization::Failing);

    let output = run(&["--cases", "1", "--emulator-url", &url], &[]);

    let message = stderr(&output);
    assert_eq!(code(&output), exit_codes::TARGET_UNAVAILABLE, "{message}");
    assert!(
        message.contains(
            "cannot read the organization from the emulator at start: the emulator refused \
             `DescribeOrganization` with status 500"
        ),
        "{message}"
    );
    assert_no_debug_dump(&message);
}
