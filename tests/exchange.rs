//! Data exchange between units: the unit's keys, key cards and the units a vault knows.

use baomi::vault::roles::Role;
use baomi::Code;

use crate::util::*;

#[test]
fn each_unit_has_its_own_keys_and_imports_others_only_by_an_intact_card() {
    let (a, b, c) = (Fixture::new(), Fixture::new(), Fixture::new());
    let tmp = tempfile::tempdir().unwrap();
    a.add_business_account("reader1", "查阅人", Role::Reader, "Reader#2026ab");

    // The keys are made the first time a 保密员 needs them, once, and audited; administrators
    // never reach them (they live under the register key).
    let mut s = a.login(OFFICER);
    let card = s.unit_key().unwrap();
    assert_eq!(card.fingerprint.len(), 39, "{}", card.fingerprint);
    assert_eq!(s.unit_key().unwrap(), card);
    drop(s);
    assert_eq!(
        a.login(("reader1", "Reader#2026ab")).unit_key().unwrap(),
        card
    );
    assert_eq!(
        a.login(ADMIN).unit_key().unwrap_err().code,
        Code::Permission
    );
    let log = a.login(AUDITOR).audit_list(&Default::default()).unwrap();
    let creations = log
        .rows
        .iter()
        .filter(|e| e.action == "unit_key_create")
        .count();
    assert_eq!(creations, 1);
    // The private half is nowhere on disk in the clear (only the register database holds it).
    let raw = raw_registers(&a.dir, OFFICER);
    let secret: Vec<u8> = raw
        .query_row("SELECT identity FROM unit_keys", [], |r| r.get(0))
        .unwrap();
    for (file, bytes) in all_vault_bytes(&a.dir) {
        assert!(
            !contains(&bytes, &secret),
            "the unit's private key in {file}"
        );
    }

    // B's card goes to A: imported; a card whose key was swapped is refused by its
    // fingerprint; A's own card needs no import.
    let b_card = tmp.path().join("b.json");
    let exported = b.login(OFFICER).unit_key_export(&b_card).unwrap();
    let mut s = a.login(OFFICER);
    let known = s.unit_key_import(&b_card, false).unwrap();
    assert_eq!(known.fingerprint, exported.fingerprint);
    assert_eq!(s.known_units().unwrap().len(), 1);

    let text = std::fs::read_to_string(&b_card).unwrap();
    let c_card = tmp.path().join("c.json");
    let c_key = c.login(OFFICER).unit_key_export(&c_card).unwrap();
    let forged = tmp.path().join("forged.json");
    std::fs::write(
        &forged,
        text.replace(&exported.signing_pub, &c_key.signing_pub),
    )
    .unwrap();
    let e = s.unit_key_import(&forged, false).unwrap_err();
    assert_eq!(e.field.as_deref(), Some("fingerprint"));
    let own = tmp.path().join("own.json");
    s.unit_key_export(&own).unwrap();
    let e = s.unit_key_import(&own, false).unwrap_err();
    assert!(e.message.contains("本单位自己的密钥卡"), "{}", e.message);
    std::fs::write(&forged, "{\"format\": \"baomi-unit-key\"").unwrap();
    assert_eq!(
        s.unit_key_import(&forged, false).unwrap_err().code,
        Code::Validation
    );

    // C has the same unit name as B: a changed key for a known unit is refused until the
    // officer says it replaces the old one.
    let e = s.unit_key_import(&c_card, false).unwrap_err();
    assert_eq!(e.code, Code::Rule);
    assert!(
        e.message.contains(&exported.fingerprint) && e.message.contains(&c_key.fingerprint),
        "{}",
        e.message
    );
    assert_eq!(
        s.known_units().unwrap()[0].fingerprint,
        exported.fingerprint
    );
    s.unit_key_import(&c_card, true).unwrap();
    let known = s.known_units().unwrap();
    assert_eq!(known.len(), 1);
    assert_eq!(known[0].fingerprint, c_key.fingerprint);
    drop(s);
    let log = a.login(AUDITOR).audit_list(&Default::default()).unwrap();
    assert_eq!(
        log.rows
            .iter()
            .filter(|e| e.action == "unit_key_import")
            .count(),
        2
    );
}
