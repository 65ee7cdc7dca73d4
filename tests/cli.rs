//! The `baomi` CLI contract (DESIGN §7): flags, JSON, exit codes, Chinese messages.

use std::path::Path;
use std::process::{Command, Output, Stdio};

use crate::util::*;

pub fn baomi(dir: &Path, user: Option<(&str, &str)>, args: &[&str]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_baomi"));
    c.arg("--vault").arg(dir).args(args).stdin(Stdio::null());
    c.env_remove("BAOMI_PASSWORD")
        .env_remove("BAOMI_USER")
        .env_remove("BAOMI_VAULT")
        .env("BAOMI_STATE", state_of(dir));
    if let Some((u, p)) = user {
        c.env("BAOMI_USER", u).env("BAOMI_PASSWORD", p);
    }
    c.output().unwrap()
}

/// The installation state folder the CLI uses for a test vault: beside it, as the fixture's.
pub fn state_of(dir: &Path) -> std::path::PathBuf {
    dir.parent().unwrap().join("state")
}

fn code(o: &Output) -> i32 {
    o.status.code().unwrap()
}

fn stdout_json(o: &Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&o.stdout)))
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn init_then_the_documented_account_sequence() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("v");
    let init = Command::new(env!("CARGO_BIN_EXE_baomi"))
        .env("BAOMI_STATE", state_of(&dir))
        .args([
            "--vault",
            dir.to_str().unwrap(),
            "--json",
            "init",
            "--unit",
            "测试单位",
            "--admin",
            "sysadm",
            "--secadmin",
            "secadm",
            "--auditor",
            "audit1",
        ])
        .args(["--kdf-memory-mib", "64", "--kdf-iterations", "1"])
        .env("BAOMI_ADMIN_PASSWORD", ADMIN.1)
        .env("BAOMI_SECADMIN_PASSWORD", SECADMIN.1)
        .env("BAOMI_AUDITOR_PASSWORD", AUDITOR.1)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(code(&init), 0, "{}", stderr(&init));
    assert_eq!(stdout_json(&init)["unit"], "测试单位");

    // admin creates, secadmin assigns the role, the person changes the initial password.
    let add = Command::new(env!("CARGO_BIN_EXE_baomi"))
        .env("BAOMI_STATE", state_of(&dir))
        .args([
            "--vault",
            dir.to_str().unwrap(),
            "--user",
            "sysadm",
            "user",
            "add",
            "zhangsan",
            "--display",
            "张三",
        ])
        .env("BAOMI_PASSWORD", ADMIN.1)
        .env("BAOMI_NEW_PASSWORD", "Initial#12345")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(code(&add), 0, "{}", stderr(&add));
    let role = baomi(
        &dir,
        Some(SECADMIN),
        &["user", "role", "zhangsan", "officer"],
    );
    assert_eq!(code(&role), 0, "{}", stderr(&role));
    let who = baomi(
        &dir,
        Some(("zhangsan", "Initial#12345")),
        &["--json", "whoami"],
    );
    assert_eq!(stdout_json(&who)["must_change_password"], true);
    let passwd = Command::new(env!("CARGO_BIN_EXE_baomi"))
        .env("BAOMI_STATE", state_of(&dir))
        .args([
            "--vault",
            dir.to_str().unwrap(),
            "--user",
            "zhangsan",
            "--password-stdin",
            "passwd",
        ])
        .env("BAOMI_NEW_PASSWORD", "Zhang#San2026")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            use std::io::Write;
            child.stdin.take().unwrap().write_all(b"Initial#12345\n")?;
            child.wait_with_output()
        })
        .unwrap();
    assert_eq!(code(&passwd), 0, "{}", stderr(&passwd));
    let who = baomi(
        &dir,
        Some(("zhangsan", "Zhang#San2026")),
        &["--json", "whoami"],
    );
    let who = stdout_json(&who);
    assert_eq!(who["role"], "officer");
    assert_eq!(who["must_change_password"], false);

    let list = baomi(&dir, Some(ADMIN), &["--json", "user", "list"]);
    let names: Vec<String> = stdout_json(&list)
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(names, ["sysadm", "secadm", "audit1", "zhangsan"]);
}

#[test]
fn exit_codes_follow_the_contract() {
    let f = Fixture::new();
    // 0: done.
    let ok = baomi(&f.dir, Some(OFFICER), &["whoami"]);
    assert_eq!(code(&ok), 0);
    assert!(String::from_utf8_lossy(&ok.stdout).contains("王五（wangwu），角色：保密员"));
    // 1: refused (permission), with the reason on stderr and as JSON on stdout.
    let denied = baomi(&f.dir, Some(ADMIN), &["--json", "audit", "list"]);
    assert_eq!(code(&denied), 1);
    assert!(stderr(&denied).contains("权限不足：系统管理员无权查阅审计日志"));
    assert_eq!(stdout_json(&denied)["error"]["code"], "permission");
    // 1: refused (validation), naming the field.
    let weak = baomi(
        &f.dir,
        Some(SECADMIN),
        &["--json", "policy", "set", "--min-length", "6"],
    );
    assert_eq!(code(&weak), 1);
    assert_eq!(stdout_json(&weak)["error"]["field"], "min_length");
    // 2: usage errors, from clap and from us.
    assert_eq!(code(&baomi(&f.dir, Some(OFFICER), &["no-such-command"])), 2);
    assert_eq!(
        code(&baomi(&f.dir, Some(OFFICER), &["user", "role", "x"])),
        2
    );
    let no_password = baomi(&f.dir, None, &["--user", "wangwu", "whoami"]);
    assert_eq!(code(&no_password), 2);
    assert!(stderr(&no_password).contains("BAOMI_PASSWORD"));
    assert_eq!(
        code(&baomi(&f.dir, Some(OFFICER), &["schema", "nothing"])),
        2
    );
    // 3: authentication failed, then locked.
    let wrong = baomi(&f.dir, Some((OFFICER.0, "Wrong#12345")), &["whoami"]);
    assert_eq!(code(&wrong), 3);
    assert!(stderr(&wrong).contains("账户名或口令错误"));
    for _ in 0..4 {
        baomi(&f.dir, Some((OFFICER.0, "Wrong#12345")), &["whoami"]);
    }
    let locked = baomi(&f.dir, Some(OFFICER), &["--json", "whoami"]);
    assert_eq!(code(&locked), 3);
    assert_eq!(stdout_json(&locked)["error"]["code"], "locked");
    // 4: integrity failure of the log.
    assert_eq!(code(&baomi(&f.dir, Some(AUDITOR), &["audit", "verify"])), 0);
    let conn = raw_connection(&f.dir, ADMIN);
    conn.execute_batch(
        "DROP TRIGGER audit_log_no_update; UPDATE audit_log SET actor = 'ghost' WHERE seq = 2;",
    )
    .unwrap();
    drop(conn);
    let broken = baomi(&f.dir, Some(AUDITOR), &["--json", "audit", "verify"]);
    assert_eq!(code(&broken), 4);
    let text = String::from_utf8_lossy(&broken.stdout);
    assert!(text.contains("\"first_broken\": 2"), "{text}");
    assert!(stderr(&broken).contains("第 2 条记录的内容被修改"));
    // 4: a tampered key file.
    std::fs::write(baomi::vault::keyfile::path(&f.dir), b"{garbage").unwrap();
    assert_eq!(code(&baomi(&f.dir, Some(OFFICER), &["whoami"])), 4);
}

#[test]
fn a_missing_vault_gets_a_clear_message() {
    let tmp = tempfile::tempdir().unwrap();
    let o = baomi(&tmp.path().join("nowhere"), Some(OFFICER), &["whoami"]);
    assert_eq!(code(&o), 1);
    assert!(stderr(&o).contains("没有找到保密库"), "{}", stderr(&o));
}

#[test]
fn policy_and_audit_listing_through_the_cli() {
    let f = Fixture::new();
    let set = baomi(
        &f.dir,
        Some(SECADMIN),
        &[
            "--json",
            "policy",
            "set",
            "--idle-lock-seconds",
            "300",
            "--max-failures",
            "3",
        ],
    );
    assert_eq!(code(&set), 0, "{}", stderr(&set));
    assert_eq!(stdout_json(&set)["idle_lock_seconds"], 300);
    let show = baomi(&f.dir, Some(ADMIN), &["policy", "show"]);
    assert!(String::from_utf8_lossy(&show.stdout).contains("连续错误锁定：3 次"));
    let list = baomi(
        &f.dir,
        Some(AUDITOR),
        &["--json", "audit", "list", "--action", "policy_set"],
    );
    let page = stdout_json(&list);
    assert_eq!(page["total"], 1);
    assert_eq!(page["rows"][0]["actor"], "secadm");
    assert_eq!(page["rows"][0]["action_label"], "修改安全策略");
    let schema = baomi(&f.dir, None, &["schema", "init"]);
    assert_eq!(code(&schema), 0);
    assert!(stdout_json(&schema)["properties"]["secadmin"].is_object());
}

fn baomi_stdin(dir: &Path, user: (&str, &str), args: &[&str], stdin: &str) -> Output {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_baomi"))
        .env("BAOMI_STATE", state_of(dir))
        .arg("--vault")
        .arg(dir)
        .args(args)
        .env("BAOMI_USER", user.0)
        .env("BAOMI_PASSWORD", user.1)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

#[test]
fn the_carrier_register_through_the_cli() {
    let f = Fixture::new();
    let doc = r#"{"title":"关于加强涉密载体管理工作的通知","doc_no":"国保发〔2026〕12号","origin_unit":"国家保密局",
        "level":"机密","scope":["办公室","王五"],"carrier_type":"纸质文件","custodian":"王五",
        "location":"1号保密柜","received_on":"2026-11-01","no_copy":false,"remarks":"测试"}"#;
    let add = baomi_stdin(&f.dir, OFFICER, &["--json", "doc", "add"], doc);
    assert_eq!(code(&add), 0, "{}", stderr(&add));
    let created = stdout_json(&add);
    assert_eq!(created["serial"], "机-2026-0001");
    assert_eq!(created["status"], "in_custody");
    assert_eq!(created["level"], "机密");
    let id = created["id"].as_i64().unwrap().to_string();

    let borrow = baomi_stdin(
        &f.dir,
        OFFICER,
        &["--json", "doc", "borrow", &id],
        r#"{"borrower":"王五","due_on":"2026-11-20","on":"2026-11-10"}"#,
    );
    assert_eq!(code(&borrow), 0, "{}", stderr(&borrow));
    let show = baomi(
        &f.dir,
        Some(OFFICER),
        &["--json", "doc", "show", "机-2026-0001"],
    );
    let shown = stdout_json(&show);
    assert_eq!(shown["overdue"], true, "due 2026-11-20, today 2026-11-22");
    assert_eq!(shown["history"].as_array().unwrap().len(), 2);
    assert_eq!(shown["history"][1]["kind"], "borrowed");

    let list = baomi(
        &f.dir,
        Some(OFFICER),
        &[
            "--json", "doc", "list", "--query", "载体", "--level", "机密", "--status", "borrowed",
        ],
    );
    assert_eq!(stdout_json(&list)["total"], 1);
    let none = baomi(
        &f.dir,
        Some(OFFICER),
        &["--json", "doc", "list", "--query", "不存在"],
    );
    assert_eq!(stdout_json(&none)["total"], 0);

    // Refusals: exit 1, the field named in JSON, the reason in Chinese on stderr.
    let ret = baomi_stdin(&f.dir, OFFICER, &["doc", "return", &id], "");
    assert_eq!(code(&ret), 0, "{}", stderr(&ret));
    let destroy = baomi_stdin(
        &f.dir,
        OFFICER,
        &["--json", "doc", "destroy", &id],
        r#"{"approver":"张局长","supervisors":["赵六"],"place":"销毁中心","method":"粉碎","list_no":"XH-1"}"#,
    );
    assert_eq!(code(&destroy), 1);
    assert_eq!(stdout_json(&destroy)["error"]["field"], "supervisors");
    assert!(stderr(&destroy).contains("销毁须由两人监销"));
    let bad_json = baomi_stdin(&f.dir, OFFICER, &["doc", "add"], "{\"title\": ");
    assert_eq!(code(&bad_json), 1);
    assert!(stderr(&bad_json).contains("不是有效的 JSON"));
    let reader_denied = baomi_stdin(&f.dir, ADMIN, &["doc", "add"], doc);
    assert_eq!(code(&reader_denied), 1);
    assert!(stderr(&reader_denied).contains("权限不足"));

    for kind in [
        "doc",
        "doc-borrow",
        "doc-destroy",
        "doc-copy",
        "doc-reconcile",
    ] {
        let o = baomi(&f.dir, None, &["schema", kind]);
        assert_eq!(code(&o), 0, "schema {kind}");
        assert!(stdout_json(&o)["properties"].is_object(), "schema {kind}");
    }
    let destroy_schema = stdout_json(&baomi(&f.dir, None, &["schema", "doc-destroy"]));
    assert!(destroy_schema["properties"]["supervisors"].is_object());
}

#[test]
fn the_device_ledger_through_the_cli() {
    let f = Fixture::new();
    let laptop = r#"{"kind":"便携式计算机","name":"联想昭阳笔记本","model":"K4e","serial":"PF2K3ZQ1",
        "storage_serials":["S4EWNF0M123456"],"classified":true,"level":"机密","label_no":"BM-2026-017",
        "department":"办公室","custodian":"王五","location":"1号保密柜","in_service_on":"2026-01-05",
        "three_in_one":true,"wireless_removed":true}"#;
    let add = baomi_stdin(&f.dir, OFFICER, &["--json", "device", "add"], laptop);
    assert_eq!(code(&add), 0, "{}", stderr(&add));
    let created = stdout_json(&add);
    assert_eq!(
        (
            &created["serial"],
            &created["status"],
            &created["device_serial"]
        ),
        (&"SB-2026-0001".into(), &"in_use".into(), &"PF2K3ZQ1".into())
    );
    let id = created["id"].as_i64().unwrap().to_string();

    // Check-out with the signed form, then the return check; by id, ledger no. or 保密编号.
    let out = baomi_stdin(
        &f.dir,
        OFFICER,
        &["--json", "device", "checkout", "BM-2026-017"],
        r#"{"user":"王五","reason":"汇报","destination":"省局","out_on":"2026-11-20","due_on":"2026-11-21",
            "max_level":"秘密","security_officer":"赵安全","leader":"孙局长"}"#,
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(stdout_json(&out)["status"], "out");
    let list = baomi(
        &f.dir,
        Some(OFFICER),
        &[
            "--json",
            "device",
            "list",
            "--status",
            "外出",
            "--kind",
            "便携式计算机",
            "--query",
            "联想",
        ],
    );
    assert_eq!(stdout_json(&list)["total"], 1);
    let reminders = stdout_json(&baomi(
        &f.dir,
        Some(OFFICER),
        &["--json", "device", "reminders"],
    ));
    // The CLI runs on the system clock, which is past the due date.
    assert_eq!(reminders["overdue"][0]["overdue"], true);
    assert!(reminders["overdue"][0]["overdue_days"].as_i64().unwrap() >= 1);
    let back = baomi_stdin(
        &f.dir,
        OFFICER,
        &["--json", "device", "checkin", "SB-2026-0001"],
        r#"{"returned_on":"2026-11-22","checked_by":"赵安全","seals_intact":true,"no_unauthorized_connection":true}"#,
    );
    assert_eq!(code(&back), 0, "{}", stderr(&back));

    // Refusals: exit 1, the field in JSON, the reason on stderr, nothing changed.
    let repair = baomi_stdin(
        &f.dir,
        OFFICER,
        &["--json", "device", "maintain", &id],
        r#"{"kind":"维修","external":true,"performer":"某维修中心","vendor_agreement":"XY-1","supervisors":["赵安全"]}"#,
    );
    assert_eq!(code(&repair), 1);
    assert_eq!(stdout_json(&repair)["error"]["field"], "storage_removed");
    assert!(
        stderr(&repair).contains("须先拆除涉密信息存储部件"),
        "{}",
        stderr(&repair)
    );
    let transfer = baomi_stdin(
        &f.dir,
        OFFICER,
        &["device", "transfer", &id],
        r#"{"custodian":"李四"}"#,
    );
    assert_eq!(code(&transfer), 1);
    assert!(stderr(&transfer).contains("须经保密工作领导小组批准"));
    let show = stdout_json(&baomi(
        &f.dir,
        Some(OFFICER),
        &["--json", "device", "show", &id],
    ));
    assert_eq!(show["status"], "in_use");
    assert_eq!(show["custodian"], "王五");
    let kinds: Vec<&str> = show["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["registered", "checked_out", "checked_in"]);
    let actions: Vec<&str> = show["actions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["kind"].as_str().unwrap())
        .collect();
    assert!(actions.contains(&"checkout") && !actions.contains(&"checkin"));

    // Usage errors: exit 2; an unknown action lists the register's actions.
    let fly = baomi_stdin(&f.dir, OFFICER, &["device", "fly", &id], "{}");
    assert_eq!(code(&fly), 2);
    assert!(stderr(&fly).contains("checkout 外出"), "{}", stderr(&fly));
    let missing = baomi_stdin(&f.dir, OFFICER, &["device", "checkout"], "{}");
    assert_eq!(code(&missing), 2);
    let nobody = baomi_stdin(&f.dir, OFFICER, &["device", "show", "SB-2099-9999"], "");
    assert_eq!(code(&nobody), 1);
    assert!(stderr(&nobody).contains("没有编号为"));
    let interval = baomi(
        &f.dir,
        Some(ADMIN),
        &["--json", "device", "interval", "移动存储介质", "20"],
    );
    assert_eq!(code(&interval), 0, "{}", stderr(&interval));
    assert_eq!(stdout_json(&interval)[2]["days"], 20);
    let denied = baomi_stdin(&f.dir, ADMIN, &["device", "list"], "");
    assert_eq!(code(&denied), 1);
    assert!(stderr(&denied).contains("权限不足"));
    let bad = baomi_stdin(
        &f.dir,
        OFFICER,
        &["device", "add"],
        r#"{"kind":"便携式计算机"}"#,
    );
    assert_eq!(code(&bad), 1);
    assert!(
        stderr(&bad).contains("缺少必填字段“name”"),
        "{}",
        stderr(&bad)
    );

    // The generic path serves the carriers' existing commands too.
    let doc = r#"{"title":"通知","level":"秘密","scope":["办公室"],"carrier_type":"纸质文件","custodian":"王五","received_on":"2026-11-01"}"#;
    assert_eq!(code(&baomi_stdin(&f.dir, OFFICER, &["doc", "add"], doc)), 0);
    let archive = baomi_stdin(
        &f.dir,
        OFFICER,
        &["--json", "doc", "archive", "秘-2026-0001"],
        "",
    );
    assert_eq!(stdout_json(&archive)["status"], "archived");

    for kind in [
        "device",
        "device-checkout",
        "device-checkin",
        "device-maintain",
        "device-transfer",
        "device-lend",
    ] {
        let o = baomi(&f.dir, None, &["schema", kind]);
        assert_eq!(code(&o), 0, "schema {kind}");
        assert!(stdout_json(&o)["properties"].is_object(), "schema {kind}");
    }
    let maintain = stdout_json(&baomi(&f.dir, None, &["schema", "device-maintain"]));
    assert!(maintain["properties"]["destruction"].is_object());
}

#[test]
fn printing_through_the_cli() {
    let f = Fixture::new();
    let tmp = tempfile::tempdir().unwrap();
    let doc = r#"{"title":"打印测试文件","doc_no":"国保发〔2026〕7号","level":"秘密","scope":["办公室"],
        "carrier_type":"纸质文件","custodian":"王五","location":"1号保密柜","received_on":"2026-11-01"}"#;
    for _ in 0..3 {
        let add = baomi_stdin(&f.dir, OFFICER, &["doc", "add"], doc);
        assert_eq!(code(&add), 0, "{}", stderr(&add));
    }
    let forms = baomi(&f.dir, Some(OFFICER), &["--json", "print", "forms"]);
    let forms = stdout_json(&forms);
    assert_eq!(forms.as_array().unwrap().len(), 15);
    assert!(forms
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["id"] == "doc-destroy" && f["title"] == "涉密载体销毁审批表"));

    let out = tmp.path().join("借阅单.pdf");
    let p = baomi(
        &f.dir,
        Some(OFFICER),
        &[
            "--json",
            "print",
            "doc-borrow",
            "秘-2026-0001",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert_eq!(code(&p), 0, "{}", stderr(&p));
    let job = stdout_json(&p);
    assert_eq!(job["serial"], "P2026-000001");
    assert!(std::fs::read(&out).unwrap().starts_with(b"%PDF"));

    let list = tmp.path().join("list.pdf");
    let p = baomi(
        &f.dir,
        Some(OFFICER),
        &[
            "print",
            "list",
            "doc",
            "--level",
            "秘密",
            "--out",
            list.to_str().unwrap(),
        ],
    );
    assert_eq!(code(&p), 0, "{}", stderr(&p));
    let said = String::from_utf8_lossy(&p.stdout).to_string();
    assert!(
        said.contains("P2026-000002") && said.contains("密级：秘密"),
        "{said}"
    );

    let many = tmp.path().join("destroy.pdf");
    let p = baomi(
        &f.dir,
        Some(OFFICER),
        &[
            "print",
            "doc-destroy",
            "1",
            "2",
            "3",
            "--out",
            many.to_str().unwrap(),
        ],
    );
    assert_eq!(code(&p), 0, "{}", stderr(&p));

    let check = baomi(&f.dir, Some(OFFICER), &["print", "check", "P2026-000001"]);
    assert_eq!(code(&check), 0, "{}", stderr(&check));
    let said = String::from_utf8_lossy(&check.stdout).to_string();
    assert!(said.contains("所印数据与保密库当前数据一致"), "{said}");

    let log = stdout_json(&baomi(&f.dir, Some(OFFICER), &["--json", "print", "log"]));
    assert_eq!(log["total"], 3);
    assert_eq!(log["rows"][0]["form"], "doc-destroy");

    // Usage errors exit 2; refusals exit 1 with the reason in Chinese; nothing is logged.
    let no_ids = baomi(
        &f.dir,
        Some(OFFICER),
        &["print", "doc-borrow", "--out", "x.pdf"],
    );
    assert_eq!(code(&no_ids), 2, "{}", stderr(&no_ids));
    let unknown = baomi(
        &f.dir,
        Some(OFFICER),
        &["print", "doc-nothing", "1", "--out", "x.pdf"],
    );
    assert_eq!(code(&unknown), 1);
    assert!(
        stderr(&unknown).contains("没有表单“doc-nothing”"),
        "{}",
        stderr(&unknown)
    );
    let two = baomi(
        &f.dir,
        Some(OFFICER),
        &["print", "doc-borrow", "1", "2", "--out", "x.pdf"],
    );
    assert_eq!(code(&two), 1);
    assert!(stderr(&two).contains("每次打印一件"), "{}", stderr(&two));
    let nowhere = baomi(
        &f.dir,
        Some(OFFICER),
        &[
            "print",
            "doc-borrow",
            "1",
            "--out",
            "/nonexistent-dir/x.pdf",
        ],
    );
    assert_eq!(code(&nowhere), 1);
    assert!(
        stderr(&nowhere).contains("/nonexistent-dir/x.pdf"),
        "{}",
        stderr(&nowhere)
    );
    let admin = baomi(
        &f.dir,
        Some(ADMIN),
        &["print", "doc-borrow", "1", "--out", "x.pdf"],
    );
    assert_eq!(code(&admin), 1);
    assert!(stderr(&admin).contains("权限不足"), "{}", stderr(&admin));

    // The administrator adapts a template; a broken one is refused with file and line.
    let show = baomi(
        &f.dir,
        Some(ADMIN),
        &["print", "template", "show", "doc-borrow.typ"],
    );
    assert_eq!(code(&show), 0, "{}", stderr(&show));
    let source = String::from_utf8(show.stdout).unwrap();
    let broken = tmp.path().join("broken.typ");
    std::fs::write(&broken, source.replace("#let o = d.doc", "#let o = d.doc(")).unwrap();
    let set = baomi(
        &f.dir,
        Some(ADMIN),
        &[
            "print",
            "template",
            "set",
            "doc-borrow.typ",
            broken.to_str().unwrap(),
        ],
    );
    assert_eq!(code(&set), 1);
    assert!(
        stderr(&set).contains("doc-borrow.typ 第"),
        "{}",
        stderr(&set)
    );
    let garbage = tmp.path().join("garbage.ttf");
    std::fs::write(&garbage, b"not a font").unwrap();
    let add = baomi(
        &f.dir,
        Some(ADMIN),
        &["print", "font", "add", garbage.to_str().unwrap()],
    );
    assert_eq!(code(&add), 1);
    assert!(
        stderr(&add).contains("不是可用的字体文件"),
        "{}",
        stderr(&add)
    );
    let fonts = stdout_json(&baomi(
        &f.dir,
        Some(ADMIN),
        &["--json", "print", "font", "list"],
    ));
    assert_eq!(fonts["choice"]["body"], "AR PL SungtiL GB");
}

/// The key model's commands: the recovery code at `init`, the auditor's checkpoint slip and
/// its paper check, a folder put back and its acceptance, rotation and recovery.
#[test]
fn checkpoints_restores_rotation_and_recovery_through_the_cli() {
    let f = Fixture::new();
    // The slip, then the paper check: 0 when it matches, 4 when it does not, 2 when malformed.
    let slip = baomi(&f.dir, Some(AUDITOR), &["--json", "audit", "checkpoint"]);
    assert_eq!(code(&slip), 0, "{}", stderr(&slip));
    let c = stdout_json(&slip);
    let pinned = format!("{}:{}", c["seq"], c["head"].as_str().unwrap());
    let pdf = f.dir.parent().unwrap().join("checkpoint.pdf");
    let human = baomi(
        &f.dir,
        Some(AUDITOR),
        &["audit", "checkpoint", "--out", pdf.to_str().unwrap()],
    );
    assert_eq!(code(&human), 0, "{}", stderr(&human));
    assert!(String::from_utf8_lossy(&human.stdout).contains("审计检查点回执"));
    assert!(String::from_utf8_lossy(&human.stdout).contains("检查点单已存为"));
    assert!(std::fs::read(&pdf).unwrap().starts_with(b"%PDF"));
    // Only the auditor signs and prints it; nothing is written for anyone else.
    let other = f.dir.parent().unwrap().join("not-mine.pdf");
    let refused = baomi(
        &f.dir,
        Some(OFFICER),
        &["audit", "checkpoint", "--out", other.to_str().unwrap()],
    );
    assert_eq!(code(&refused), 1, "{}", stderr(&refused));
    assert!(!other.exists());
    let ok = baomi(
        &f.dir,
        Some(AUDITOR),
        &["audit", "verify", "--checkpoint", &pinned],
    );
    assert_eq!(code(&ok), 0, "{}", stderr(&ok));
    let other = format!("{}:{}", c["seq"], "0".repeat(64));
    let bad = baomi(
        &f.dir,
        Some(AUDITOR),
        &["audit", "verify", "--checkpoint", &other],
    );
    assert_eq!(code(&bad), 4);
    let junk = baomi(
        &f.dir,
        Some(AUDITOR),
        &["audit", "verify", "--checkpoint", "abc"],
    );
    assert_eq!(code(&junk), 1, "{}", stderr(&junk));
    assert!(stderr(&junk).contains("检查点"), "{}", stderr(&junk));

    // A folder put back: exit 4 with the reason, until the auditor accepts it.
    let copy = f.dir.parent().unwrap().join("copy");
    std::fs::create_dir_all(&copy).unwrap();
    for e in std::fs::read_dir(&f.dir).unwrap() {
        let p = e.unwrap().path();
        std::fs::copy(&p, copy.join(p.file_name().unwrap())).unwrap();
    }
    assert_eq!(code(&baomi(&f.dir, Some(ADMIN), &["unit", "新名称"])), 0);
    for e in std::fs::read_dir(&copy).unwrap() {
        let p = e.unwrap().path();
        std::fs::copy(&p, f.dir.join(p.file_name().unwrap())).unwrap();
    }
    let refused = baomi(&f.dir, Some(OFFICER), &["whoami"]);
    assert_eq!(code(&refused), 4);
    assert!(
        stderr(&refused).contains("audit accept-restore"),
        "{}",
        stderr(&refused)
    );
    let not_auditor = baomi(&f.dir, Some(ADMIN), &["audit", "accept-restore"]);
    assert_ne!(code(&not_auditor), 0);
    let accepted = baomi(&f.dir, Some(AUDITOR), &["audit", "accept-restore"]);
    assert_eq!(code(&accepted), 0, "{}", stderr(&accepted));
    assert_eq!(code(&baomi(&f.dir, Some(OFFICER), &["whoami"])), 0);

    // Rotation by each key's holder; an auditor has no key to rotate.
    assert_eq!(code(&baomi(&f.dir, Some(ADMIN), &["key", "rotate"])), 0);
    assert_eq!(code(&baomi(&f.dir, Some(OFFICER), &["key", "rotate"])), 0);
    assert_ne!(code(&baomi(&f.dir, Some(AUDITOR), &["key", "rotate"])), 0);

    // Recovery: a 保密员 whose key went with a reset takes it back with the sealed code.
    f.login(ADMIN)
        .reset_password(OFFICER.0, "Reset#2026abc")
        .unwrap();
    f.login(SECADMIN)
        .assign_role(OFFICER.0, baomi::vault::roles::Role::Officer)
        .unwrap();
    let waiting = baomi(&f.dir, Some((OFFICER.0, "Reset#2026abc")), &["whoami"]);
    assert_eq!(code(&waiting), 1);
    assert!(
        stderr(&waiting).contains("baomi recover"),
        "{}",
        stderr(&waiting)
    );
    let recover = |code_text: &str| {
        Command::new(env!("CARGO_BIN_EXE_baomi"))
            .env("BAOMI_STATE", state_of(&f.dir))
            .args([
                "--vault",
                f.dir.to_str().unwrap(),
                "--user",
                OFFICER.0,
                "recover",
            ])
            .env("BAOMI_PASSWORD", "Reset#2026abc")
            .env("BAOMI_RECOVERY_CODE", code_text)
            .stdin(Stdio::null())
            .output()
            .unwrap()
    };
    let wrong = recover("0000-0000");
    assert_eq!(code(&wrong), 1);
    assert!(stderr(&wrong).contains("恢复码"), "{}", stderr(&wrong));
    let back = recover(&f.recovery_code);
    assert_eq!(code(&back), 0, "{}", stderr(&back));
    let who = baomi(&f.dir, Some((OFFICER.0, "Reset#2026abc")), &["whoami"]);
    assert_eq!(code(&who), 0, "{}", stderr(&who));
}

#[test]
fn the_personnel_register_through_the_cli() {
    let f = Fixture::new();
    let run = |args: &[&str], stdin: &str| baomi_stdin(&f.dir, OFFICER, args, stdin);
    let add = run(
        &["--json", "person", "add"],
        r#"{"name":"张三","department":"办公室","post":"机要员","class":"核心"}"#,
    );
    assert_eq!(code(&add), 0, "{}", stderr(&add));
    let added = stdout_json(&add);
    assert_eq!(added["status"], "candidate");
    assert_eq!(added["class_label"], "核心");
    let id = added["id"].as_i64().unwrap().to_string();

    // Custodian before the 上岗 letter: refused, the field and the reason named.
    let doc = r#"{"title":"关于做好年度保密检查工作的通知","origin_unit":"国家保密局","level":"秘密",
        "scope":["办公室"],"carrier_type":"纸质文件","custodian":"张三","received_on":"2026-11-01"}"#;
    let refused = run(&["--json", "doc", "add"], doc);
    assert_eq!(code(&refused), 1);
    assert_eq!(stdout_json(&refused)["error"]["field"], "custodian");
    assert!(
        stderr(&refused).contains("未签订上岗保密承诺书"),
        "{}",
        stderr(&refused)
    );

    for (args, input) in [
        (
            vec!["person", "review", &id],
            r#"{"on":"2026-11-20","result":"合格","passed":true,"by":"人事处"}"#,
        ),
        (
            vec!["person", "train", &id],
            r#"{"on":"2026-11-21","content":"保密法","hours":4,"score":90,"passed":true}"#,
        ),
        (
            vec!["pledge", "add", "张三"],
            r#"{"kind":"上岗","signed_on":"2026-11-22","witness":"王五","filed":true}"#,
        ),
    ] {
        let o = run(&args, input);
        assert_eq!(code(&o), 0, "{args:?}: {}", stderr(&o));
    }
    let added = run(&["--json", "doc", "add"], doc);
    assert_eq!(code(&added), 0, "{}", stderr(&added));
    let serial = stdout_json(&added)["serial"].as_str().unwrap().to_string();

    // Off-boarding while holding: exit 1, the holding listed by serial and title.
    let off = run(
        &["--json", "person", "offboard", &id],
        r#"{"kind":"离岗","months":12}"#,
    );
    assert_eq!(code(&off), 1);
    assert!(
        stderr(&off).contains(&serial) && stderr(&off).contains("关于做好年度保密检查工作的通知"),
        "{}",
        stderr(&off)
    );
    assert_eq!(stdout_json(&off)["error"]["code"], "rule");
    let months = run(
        &["--json", "person", "offboard", &id],
        r#"{"kind":"离岗","months":48}"#,
    );
    assert_eq!(code(&months), 1);

    let back = run(&["doc", "distribute", &serial], r#"{"to":"王五"}"#);
    assert_eq!(code(&back), 0, "{}", stderr(&back));
    let off = run(
        &["--json", "person", "offboard", &id],
        r#"{"kind":"离岗","months":12,"witness":"王五","on":"2026-11-30"}"#,
    );
    assert_eq!(code(&off), 0, "{}", stderr(&off));
    let off = stdout_json(&off);
    assert_eq!(off["status_label"], "脱密期");
    assert_eq!(off["leaving"]["ends_on"], "2027-11-29");

    let show = baomi(&f.dir, Some(OFFICER), &["person", "show", "张三"]);
    let text = String::from_utf8_lossy(&show.stdout);
    assert!(
        text.contains("当前没有保管或借用的载体、设备")
            && text.contains("离岗，签订离岗保密承诺书"),
        "{text}"
    );
    let list = baomi(
        &f.dir,
        Some(OFFICER),
        &[
            "--json",
            "person",
            "list",
            "--status",
            "脱密期",
            "--class",
            "核心",
        ],
    );
    assert_eq!(stdout_json(&list)["total"], 1);
    let due = stdout_json(&baomi(&f.dir, Some(OFFICER), &["--json", "due"]));
    assert!(
        due.as_array()
            .unwrap()
            .iter()
            .any(|d| d["kind"] == "reconcile"),
        "{due}"
    );
    // `baomi office-check quarterly` records the quarter's inspection: it moves to the next
    // quarter's end.
    let quarter = |due: &serde_json::Value| {
        due.as_array()
            .unwrap()
            .iter()
            .find(|d| d["kind"] == "quarterly_check")
            .unwrap()["due_on"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let before = quarter(&due);
    let o = baomi(
        &f.dir,
        Some(OFFICER),
        &["--json", "office-check", "quarterly"],
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(stdout_json(&o)["message"]
        .as_str()
        .unwrap()
        .contains("季度保密检查"));
    let after = quarter(&stdout_json(&baomi(
        &f.dir,
        Some(OFFICER),
        &["--json", "due"],
    )));
    assert!(after > before, "{before} → {after}");
    let o = baomi(&f.dir, Some(OFFICER), &["office-check", "monthly"]);
    assert_eq!(code(&o), 1);
    assert!(stderr(&o).contains("检查类型"), "{}", stderr(&o));
    let reminders = baomi(&f.dir, Some(OFFICER), &["person", "reminders"]);
    assert_eq!(code(&reminders), 0, "{}", stderr(&reminders));
    let unknown = run(&["person", "promote", &id], "");
    assert_eq!(code(&unknown), 2);
    assert!(
        stderr(&unknown).contains("offboard 离岗"),
        "{}",
        stderr(&unknown)
    );
    // The letter, the checklist and the register through `baomi print`.
    let out = f.dir.parent().unwrap();
    for (args, pdf) in [
        (
            vec!["print", "person-pledge", "张三", "--kind", "出国(境)前"],
            "abroad.pdf",
        ),
        (vec!["print", "person-pledge", id.as_str()], "leave.pdf"),
        (
            vec!["print", "person-handback", id.as_str()],
            "handback.pdf",
        ),
        (
            vec!["print", "list", "person", "--status", "脱密期"],
            "list.pdf",
        ),
    ] {
        let path = out.join(pdf);
        let mut args = args.clone();
        args.extend(["--out", path.to_str().unwrap()]);
        let o = baomi(&f.dir, Some(OFFICER), &args);
        assert_eq!(code(&o), 0, "{args:?}: {}", stderr(&o));
        assert!(std::fs::read(&path).unwrap().starts_with(b"%PDF"), "{pdf}");
    }
    let text = crate::print::tool(
        "pdftotext",
        &[out.join("abroad.pdf").to_str().unwrap(), "-"],
    );
    assert!(
        crate::print::squeeze(&text).contains("保密承诺书（出国(境)前）"),
        "{text}"
    );
    let bad = baomi(
        &f.dir,
        Some(OFFICER),
        &[
            "print",
            "person-pledge",
            &id,
            "--kind",
            "婚前",
            "--out",
            out.join("x.pdf").to_str().unwrap(),
        ],
    );
    assert_eq!(code(&bad), 1);
    assert!(stderr(&bad).contains("承诺书类型"), "{}", stderr(&bad));
    for kind in [
        "person",
        "person-review",
        "person-train",
        "person-pledge",
        "person-offboard",
    ] {
        let o = baomi(&f.dir, None, &["schema", kind]);
        assert_eq!(code(&o), 0, "schema {kind}");
        assert!(stdout_json(&o)["properties"].is_object(), "schema {kind}");
    }
}

#[test]
fn unit_keys_through_the_cli() {
    let (a, b) = (Fixture::new(), Fixture::new());
    let card = a.dir.parent().unwrap().join("b-card.json");
    let export = baomi(
        &b.dir,
        Some(OFFICER),
        &[
            "--json",
            "unit",
            "key",
            "export",
            "--out",
            card.to_str().unwrap(),
        ],
    );
    assert_eq!(code(&export), 0, "{}", stderr(&export));
    let fp = stdout_json(&export)["fingerprint"]
        .as_str()
        .unwrap()
        .to_string();
    let import = baomi(
        &a.dir,
        Some(OFFICER),
        &["unit", "key", "import", card.to_str().unwrap()],
    );
    assert_eq!(code(&import), 0, "{}", stderr(&import));
    let list = stdout_json(&baomi(&a.dir, Some(OFFICER), &["--json", "unit", "list"]));
    assert_eq!(list[0]["fingerprint"], fp);
    let show = baomi(&a.dir, Some(OFFICER), &["unit", "key", "show"]);
    assert!(String::from_utf8_lossy(&show.stdout).contains("密钥指纹"));
    let sheet = a.dir.parent().unwrap().join("key-sheet.pdf");
    let o = baomi(
        &a.dir,
        Some(OFFICER),
        &[
            "--json",
            "unit",
            "key",
            "sheet",
            "--out",
            sheet.to_str().unwrap(),
        ],
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(stdout_json(&o)["form"], "unit-key-sheet");
    assert!(std::fs::read(&sheet).unwrap().starts_with(b"%PDF"));
    // The administrator never holds the unit's keys; renaming the unit still works.
    let denied = baomi(&a.dir, Some(ADMIN), &["unit", "key", "show"]);
    assert_eq!(code(&denied), 1);
    assert_eq!(
        code(&baomi(&a.dir, Some(ADMIN), &["unit", "新单位名称"])),
        0
    );
    assert_eq!(code(&baomi(&a.dir, Some(ADMIN), &["unit"])), 2);
}

/// `baomi export` / `import` / `bundles` (issue contract): a bundle to a unit and its receipt,
/// a passphrase bundle from the environment, and the exit codes of bad bundles.
#[test]
fn bundles_through_the_cli() {
    let (a, b) = (Fixture::new(), Fixture::new());
    a.login(ADMIN).set_unit_name("甲市保密办").unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let path = |n: &str| tmp.path().join(n).to_str().unwrap().to_string();
    let run = |f: &Fixture, args: &[&str], passphrase: Option<&str>| {
        let mut c = Command::new(env!("CARGO_BIN_EXE_baomi"));
        c.arg("--vault")
            .arg(&f.dir)
            .args(args)
            .stdin(Stdio::null())
            .env_remove("BAOMI_VAULT")
            .env_remove("BAOMI_BUNDLE_PASSPHRASE")
            .env("BAOMI_STATE", state_of(&f.dir))
            .env("BAOMI_USER", OFFICER.0)
            .env("BAOMI_PASSWORD", OFFICER.1);
        if let Some(p) = passphrase {
            c.env("BAOMI_BUNDLE_PASSPHRASE", p);
        }
        c.output().unwrap()
    };
    for (from, to, card) in [(&a, &b, "a.json"), (&b, &a, "b.json")] {
        let o = run(from, &["unit", "key", "export", "--out", &path(card)], None);
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        let o = run(to, &["unit", "key", "import", &path(card)], None);
        assert_eq!(code(&o), 0, "{}", stderr(&o));
    }
    let add = baomi_stdin(
        &a.dir,
        OFFICER,
        &["--json", "doc", "add"],
        r#"{"title": "移交的载体", "level": "秘密", "scope": ["办公室"], "carrier_type": "纸质文件", "custodian": "王五", "received_on": "2026-11-01"}"#,
    );
    assert_eq!(code(&add), 0, "{}", stderr(&add));

    let o = run(
        &a,
        &[
            "--json",
            "export",
            "--register",
            "doc",
            "--to-unit",
            &path("b.json"),
            "--out",
            &path("x.bdl"),
        ],
        None,
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let exported = stdout_json(&o);
    assert_eq!(exported["records"], 1);
    assert_eq!(exported["recipients"][0], UNIT);

    let o = run(&b, &["--json", "import", &path("x.bdl"), "--dry-run"], None);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let preview = stdout_json(&o);
    assert_eq!(preview["added"][0]["title"], "移交的载体");
    assert_eq!(preview["changed"].as_array().unwrap().len(), 0);
    assert_eq!(preview["conflicts"].as_array().unwrap().len(), 0);
    assert_eq!(preview["sender"]["status"], "known");
    assert_eq!(preview["applied"], false);
    let o = run(
        &b,
        &[
            "--json",
            "import",
            &path("x.bdl"),
            "--receipt",
            &path("r.bdl"),
        ],
        None,
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(stdout_json(&o)["applied"], true);
    let o = run(&a, &["import", &path("r.bdl")], None);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(String::from_utf8_lossy(&o.stdout).contains("已登记签收"));
    let o = run(&a, &["--json", "bundles"], None);
    assert_eq!(stdout_json(&o)[0]["received_by"], UNIT);
    // A replayed receipt and a flipped byte are integrity failures (exit 4).
    let o = run(&a, &["import", &path("r.bdl")], None);
    assert_eq!(code(&o), 4, "{}", stderr(&o));
    let mut bytes = std::fs::read(path("x.bdl")).unwrap();
    let n = bytes.len();
    bytes[n / 2] ^= 0x10;
    std::fs::write(path("bad.bdl"), &bytes).unwrap();
    let o = run(&b, &["import", &path("bad.bdl")], None);
    assert_eq!(code(&o), 4, "{}", stderr(&o));
    assert!(stderr(&o).contains("签名无效"), "{}", stderr(&o));

    // A passphrase bundle: the passphrase only from the environment, never an argument.
    let o = run(
        &a,
        &["export", "--since", "2026-11-01", "--out", &path("p.bdl")],
        None,
    );
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("BAOMI_BUNDLE_PASSPHRASE"),
        "{}",
        stderr(&o)
    );
    let o = run(
        &a,
        &["export", "--since", "2026-11-01", "--out", &path("p.bdl")],
        Some("短"),
    );
    assert_ne!(code(&o), 0);
    assert!(stderr(&o).contains("数据包口令"), "{}", stderr(&o));
    let o = run(
        &a,
        &["export", "--since", "2026-11-01", "--out", &path("p.bdl")],
        Some("口令-足够长的口令"),
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let o = run(&b, &["import", &path("p.bdl")], Some("错误的口令口令"));
    assert_eq!(code(&o), 3, "{}", stderr(&o));
    let o = run(
        &b,
        &["--json", "import", &path("p.bdl"), "--dry-run"],
        Some("口令-足够长的口令"),
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(stdout_json(&o)["unchanged"], 1);
    let o = run(
        &b,
        &["import", &path("p.bdl"), "--resolve", "x=sideways"],
        Some("口令-足够长的口令"),
    );
    assert_eq!(code(&o), 2, "{}", stderr(&o));
}

/// `baomi backup --out F`, `backup verify F`, `restore F --vault DIR` (issue contract).
#[test]
fn backup_verify_and_restore_through_the_cli() {
    let f = Fixture::new();
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("备份.bdl");
    let restored = tmp.path().join("restored");
    let run = |dir: &Path, user: Option<(&str, &str)>, args: &[&str], pass: Option<&str>| {
        let mut c = Command::new(env!("CARGO_BIN_EXE_baomi"));
        c.arg("--vault")
            .arg(dir)
            .args(args)
            .stdin(Stdio::null())
            .env_remove("BAOMI_VAULT")
            .env_remove("BAOMI_BUNDLE_PASSPHRASE")
            .env_remove("BAOMI_USER")
            .env("BAOMI_STATE", state_of(&f.dir));
        if let Some((u, p)) = user {
            c.env("BAOMI_USER", u).env("BAOMI_PASSWORD", p);
        }
        if let Some(p) = pass {
            c.env("BAOMI_BUNDLE_PASSPHRASE", p);
        }
        c.output().unwrap()
    };
    let f_file = file.to_str().unwrap();
    let o = run(
        &f.dir,
        Some(ADMIN),
        &["--json", "backup", "--out", f_file],
        Some("备份口令-cli-1"),
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let made = stdout_json(&o);
    assert_eq!(made["files"].as_array().unwrap().len(), 3);
    // The officer may not take backups (三员: the 系统管理员 does).
    let o = run(
        &f.dir,
        Some(OFFICER),
        &["backup", "--out", f_file],
        Some("备份口令-cli-1"),
    );
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    let o = run(
        &f.dir,
        None,
        &["--json", "backup", "verify", f_file],
        Some("备份口令-cli-1"),
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(stdout_json(&o)["head"], made["head"]);
    let o = run(
        &f.dir,
        None,
        &["backup", "verify", f_file],
        Some("错误的备份口令"),
    );
    assert_eq!(code(&o), 3, "{}", stderr(&o));
    let o = run(
        &restored,
        None,
        &["restore", f_file],
        Some("备份口令-cli-1"),
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    // Into a folder that is not empty: refused.
    let o = run(
        &restored,
        None,
        &["restore", f_file],
        Some("备份口令-cli-1"),
    );
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert!(stderr(&o).contains("不是空文件夹"), "{}", stderr(&o));
    // The restored vault opens with the same password (on another installation).
    let mut c = Command::new(env!("CARGO_BIN_EXE_baomi"));
    let o = c
        .arg("--vault")
        .arg(&restored)
        .args(["--json", "whoami"])
        .env("BAOMI_STATE", tmp.path().join("other-machine"))
        .env("BAOMI_USER", OFFICER.0)
        .env("BAOMI_PASSWORD", OFFICER.1)
        .env_remove("BAOMI_VAULT")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(code(&o), 0, "{}", stderr(&o));
}

/// A reader that goes away early (`baomi schema … | head -1`) ends the CLI quietly: no panic.
#[test]
fn a_closed_pipe_is_not_a_panic() {
    let f = Fixture::new();
    let mut child = Command::new(env!("CARGO_BIN_EXE_baomi"))
        .arg("--vault")
        .arg(&f.dir)
        .args(["schema", "doc-archive"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Close the reading end before the CLI writes.
    drop(child.stdout.take());
    let o = child.wait_with_output().unwrap();
    assert!(!stderr(&o).contains("panicked"), "{}", stderr(&o));
    assert_eq!(code(&o), 0, "{}", stderr(&o));
}

/// `baomi stats --year Y --json` (issue contract): every register's tables, in Chinese.
#[test]
fn the_year_end_statistics_through_the_cli() {
    let f = Fixture::new();
    let o = baomi(
        &f.dir,
        Some(OFFICER),
        &["--json", "stats", "--year", "2026"],
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let v = stdout_json(&o);
    assert_eq!(v["year"], 2026);
    let registers: Vec<&str> = v["tables"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["register"].as_str().unwrap())
        .collect();
    for r in ["doc", "device", "person"] {
        assert!(registers.contains(&r), "{registers:?}");
    }
    let o = baomi(&f.dir, Some(OFFICER), &["stats", "--year", "2026"]);
    assert!(String::from_utf8_lossy(&o.stdout).contains("年度保密工作统计"));
    let o = baomi(&f.dir, Some(OFFICER), &["stats", "--year", "26"]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert!(stderr(&o).contains("统计年度"), "{}", stderr(&o));

    // The A4 report for the superior department, and the same tables as a workbook.
    let pdf = f.dir.parent().unwrap().join("统计.pdf");
    let o = baomi(
        &f.dir,
        Some(OFFICER),
        &[
            "--json",
            "print",
            "stats",
            "--year",
            "2026",
            "--out",
            pdf.to_str().unwrap(),
        ],
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let job = stdout_json(&o);
    assert_eq!(job["title"], "年度保密工作统计表");
    assert!(job["serial"].as_str().unwrap().starts_with("TJ2026-"));
    assert!(job["pages"].as_u64().unwrap() >= 1);
    assert_eq!(&std::fs::read(&pdf).unwrap()[..5], b"%PDF-");
    let xlsx = f.dir.parent().unwrap().join("统计.xlsx");
    let o = baomi(
        &f.dir,
        Some(OFFICER),
        &["stats", "--year", "2026", "--xlsx", xlsx.to_str().unwrap()],
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    use calamine::Reader;
    let mut book = calamine::open_workbook_auto(&xlsx).unwrap();
    let names = book.sheet_names();
    assert_eq!(names.len(), registers.len(), "one worksheet per table");
    let first = book.worksheet_range(&names[0]).unwrap();
    let title = first.get_value((0, 0)).unwrap().to_string();
    assert!(title.contains("2026 年度保密工作统计"), "{title}");
    assert_eq!(first.get_value((2, 0)).unwrap().to_string(), "项目");
    let o = baomi(
        &f.dir,
        Some(ADMIN),
        &[
            "print",
            "stats",
            "--year",
            "2026",
            "--out",
            pdf.to_str().unwrap(),
        ],
    );
    assert_eq!(
        code(&o),
        1,
        "the 系统管理员 reads no register: {}",
        stderr(&o)
    );
}

/// `baomi import-xlsx REGISTER FILE [--sheet] [--dry-run] [--map C=field] [--default F=V]
/// --json` and `baomi export-xlsx REGISTER --out F [--filter K=V]` (issue contract): the
/// report's `imported`, `skipped` and `errors` with row numbers; a refused import exits 2 with
/// the report alone on stdout; the export writes what the filters select.
#[test]
fn excel_import_and_export_through_the_cli() {
    use serde_json::json;
    let f = Fixture::new();
    let dir = f.dir.parent().unwrap().to_path_buf();
    let sheet = dir.join("人员.xlsx");
    let mut book = rust_xlsxwriter::Workbook::new();
    let ws = book.add_worksheet();
    for (r, row) in [
        ["涉密人员登记表", "", "", "", ""],
        ["姓名", "部门", "职务", "涉密人员类别", "备忘"],
        ["赵六", "办公室", "文书", "核心涉密人员", "调入"],
        ["钱七", "机要室", "机要员", "重点", ""],
        ["合计", "", "", "", ""],
        ["孙八", "机要室", "机要员", "特级", ""],
    ]
    .iter()
    .enumerate()
    {
        for (c, v) in row.iter().enumerate() {
            if !v.is_empty() {
                ws.write_string(r as u32, c as u16, *v).unwrap();
            }
        }
    }
    book.save(&sheet).unwrap();
    let path = sheet.to_str().unwrap();

    let o = baomi(
        &f.dir,
        Some(OFFICER),
        &["--json", "import-xlsx", "person", path, "--dry-run"],
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let v = stdout_json(&o);
    assert_eq!(
        (v["imported"].clone(), v["committed"].clone()),
        (json!(2), json!(false))
    );
    assert_eq!(
        v["skipped"],
        json!([{"row": 5, "reason": "合计行，不是记录"}])
    );
    assert_eq!(v["errors"][0]["row"], 6);
    assert_eq!(v["errors"][0]["column"], "D");
    assert!(v["errors"][0]["reason"].as_str().unwrap().contains("特级"));

    let o = baomi(
        &f.dir,
        Some(OFFICER),
        &["--json", "import-xlsx", "person", path],
    );
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("1 行无法导入，未导入任何记录"),
        "{}",
        stderr(&o)
    );
    assert_eq!(stdout_json(&o)["imported"], 0, "the report alone on stdout");

    let o = baomi(
        &f.dir,
        Some(OFFICER),
        &[
            "--json",
            "import-xlsx",
            "person",
            path,
            "--map",
            "备忘=remarks",
            "--map",
            "D=-",
            "--default",
            "class=一般",
        ],
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let v = stdout_json(&o);
    assert_eq!(
        (v["imported"].clone(), v["committed"].clone()),
        (json!(3), json!(true))
    );

    let out = dir.join("导出.xlsx");
    let o = baomi(
        &f.dir,
        Some(OFFICER),
        &[
            "--json",
            "export-xlsx",
            "person",
            "--out",
            out.to_str().unwrap(),
            "--filter",
            "query=机要室",
        ],
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(stdout_json(&o)["rows"], 2);
    assert!(out.exists());

    for (args, want) in [
        (vec!["import-xlsx", "paper", path], "没有“paper”台账"),
        (
            vec!["import-xlsx", "person", path, "--map", "D"],
            "--map 应写作 键=值",
        ),
        (
            vec!["import-xlsx", "person", "/nonexistent/x.xlsx"],
            "无法读取“x.xlsx”",
        ),
        (
            vec![
                "export-xlsx",
                "person",
                "--out",
                out.to_str().unwrap(),
                "--filter",
                "colour=红",
            ],
            "colour",
        ),
    ] {
        let o = baomi(&f.dir, Some(OFFICER), &args);
        assert!(matches!(code(&o), 1 | 2), "{args:?}: {}", stderr(&o));
        assert!(stderr(&o).contains(want), "{args:?}: {}", stderr(&o));
        assert!(!stderr(&o).contains("panicked"));
    }
}
