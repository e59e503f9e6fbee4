//! The interactive pages of a run's report folder, end to end: a failing
//! run writes `timeline.html` and `messages.html` (and `linear.html` for a
//! linearizability failure), each self-contained (no external URL in any
//! `src` or `href`, nothing fetched), linked from `index.html`, holding the
//! data that explains the violation: the ops it names highlighted, a
//! message window that reaches from its cause to its last entry, message
//! fields, one colour per message type.

mod support;

use serde_json::Value;
use std::path::Path;
use support::{faultline_out as faultline, fresh_dir as tmp};

fn read(dir: &Path, name: &str) -> String {
    std::fs::read_to_string(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// The page's JSON data island.
fn data(html: &str) -> Value {
    let start = html
        .find("<script type=\"application/json\" id=\"data\">")
        .expect("data island");
    let rest = &html[start..];
    let open = rest.find('>').unwrap() + 1;
    let close = rest.find("</script>").unwrap();
    serde_json::from_str(&rest[open..close]).expect("data island is JSON")
}

/// No external resource: no URL in any src or href, and no http(s) at all.
fn assert_self_contained(name: &str, html: &str) {
    for attr in ["src=\"", "href=\""] {
        for (i, _) in html.match_indices(attr) {
            let value = &html[i + attr.len()..];
            assert!(
                !value.starts_with("http") && !value.starts_with("//"),
                "{name}: {}",
                &value[..40.min(value.len())]
            );
        }
    }
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "{name} names a URL"
    );
    assert!(
        html.starts_with("<!DOCTYPE html>") && html.ends_with("</html>\n"),
        "{name}"
    );
}

fn history_line(dir: &Path, i: usize) -> Value {
    let text = read(dir, "history.jsonl");
    serde_json::from_str(text.lines().nth(i).unwrap()).unwrap()
}

#[test]
fn twopc_no_decision_log_explains_itself() {
    let out = tmp("pages_twopc");
    faultline(
        &["run", "scenarios/twopc/no-decision-log.toml", "--seed", "1"],
        &out,
    );
    let dir = out.join("twopc-no-decision-log/1");
    let index = read(&dir, "index.html");
    let summary: Value = serde_json::from_str(&read(&dir, "summary.json")).unwrap();
    let violation = summary["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["verdict"] == "invalid")
        .map(|c| c["violations"][0].clone())
        .expect("seed 1 fails");
    let entries: Vec<usize> = violation["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e.as_u64().unwrap() as usize)
        .collect();
    let times: Vec<u64> = entries
        .iter()
        .map(|&i| history_line(&dir, i)["time_us"].as_u64().unwrap())
        .collect();
    for page in ["timeline.html", "messages.html"] {
        assert!(
            index.contains(&format!("<a href=\"{page}\">")),
            "index links {page}"
        );
        assert_self_contained(page, &read(&dir, page));
    }

    // The timeline outlines the op the violation names (the client's ok) and its event.
    let t = data(&read(&dir, "timeline.html"));
    let named_ops: Vec<&Value> = t["ops"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| !o["v"].as_array().unwrap().is_empty())
        .collect();
    assert!(
        named_ops
            .iter()
            .any(|o| o["t1"].as_u64() == Some(times[0]) && o["o"] == "ok"),
        "{named_ops:?}"
    );
    let named_events = t["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| !e["v"].as_array().unwrap().is_empty())
        .count();
    assert!(named_events >= 1);
    assert_eq!(
        t["violations"][0]["first_us"].as_u64(),
        times.iter().min().copied()
    );

    // The message window runs from the violation's first entry to its last,
    // so it holds the coordinator's crashes and the participants' inquiries.
    let m = data(&read(&dir, "messages.html"));
    let (from, to) = (m["from_us"].as_u64().unwrap(), m["to_us"].as_u64().unwrap());
    assert!(
        from <= *times.iter().min().unwrap() && to > *times.iter().max().unwrap(),
        "{from}..{to} vs {times:?}"
    );
    let crashes = m["faults"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| {
            f["kind"] == "crash"
                && f["at_us"].as_u64().unwrap() >= from
                && f["at_us"].as_u64().unwrap() < to
        })
        .count();
    assert!(crashes >= 2, "{crashes} crashes in the window");
    let kinds: Vec<&str> = m["kinds"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["name"].as_str().unwrap())
        .collect();
    let inquire = kinds
        .iter()
        .position(|k| *k == "Inquire")
        .expect("Inquire is a message type");
    let messages = m["messages"].as_array().unwrap();
    assert!(
        messages
            .iter()
            .any(|msg| msg[4] == inquire && msg[5].as_str().unwrap().contains("txn:")),
        "inquiries with their fields"
    );
    let mut colours: Vec<&str> = m["kinds"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["color"].as_str().unwrap())
        .collect();
    colours.sort_unstable();
    colours.dedup();
    assert_eq!(
        colours.len(),
        kinds.len(),
        "one distinct colour per message type"
    );
    assert!(
        m["violations"][0]["points"].as_array().unwrap().len() >= 2,
        "the named entries are circled"
    );
}

#[test]
fn a_message_type_keeps_its_colour_across_windows() {
    let out = tmp("pages_colours");
    let colours = |window: &str| {
        let sub = out.join(window.replace("..", "-"));
        faultline(
            &[
                "run",
                "scenarios/cqrs/dual-write.toml",
                "--seed",
                "4",
                "--flow-ms",
                window,
            ],
            &sub,
        );
        let m = data(&read(&sub.join("cqrs-dual-write/4"), "messages.html"));
        m["kinds"].clone()
    };
    let (a, b) = (colours("0..300"), colours("2000..2600"));
    assert_eq!(
        a, b,
        "the same run colours its message types the same in every window"
    );
    assert!(a.as_array().unwrap().len() >= 8, "{a}");
}

#[test]
fn a_linearizability_failure_gets_its_own_page() {
    let out = tmp("pages_linear");
    faultline(
        &["run", "scenarios/quorum/tied-versions.toml", "--seed", "1"],
        &out,
    );
    let dir = out.join("quorum-tied-versions/1");
    let html = read(&dir, "linear.html");
    assert_self_contained("linear.html", &html);
    assert!(read(&dir, "index.html").contains("<a href=\"linear.html\">"));
    let d = data(&html);
    let key = &d["keys"][0];
    let ops = key["ops"].as_array().unwrap();
    let stuck: Vec<&Value> = ops.iter().filter(|o| o["role"] == "stuck").collect();
    assert_eq!(stuck.len(), 1, "one op cannot be placed");
    let order: Vec<u64> = ops.iter().filter_map(|o| o["order"].as_u64()).collect();
    assert!(
        !order.is_empty() && order.windows(2).all(|w| w[1] == w[0] + 1),
        "the prefix in order: {order:?}"
    );
    assert_eq!(*order.last().unwrap(), key["prefix_len"].as_u64().unwrap());
    assert!(
        ops.iter().all(|o| o["node"].is_string()),
        "every op names the node that served it"
    );
    // The page explains the very failure judged: its stuck op is the verdict's.
    let summary: Value = serde_json::from_str(&read(&dir, "summary.json")).unwrap();
    let lin = summary["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "linearizable")
        .unwrap();
    let entries = lin["violations"][0]["entries"].as_array().unwrap();
    assert!(entries.contains(&stuck[0]["invoke"]), "{entries:?}");
}

#[test]
fn a_passing_run_has_no_linearizability_page() {
    let out = tmp("pages_valid");
    faultline(
        &["run", "scenarios/quorum/steady.toml", "--seed", "1"],
        &out,
    );
    let dir = out.join("quorum-steady/1");
    assert!(!dir.join("linear.html").exists());
    assert!(!read(&dir, "index.html").contains("linear.html"));
    let t = data(&read(&dir, "timeline.html"));
    assert!(t["violations"].as_array().unwrap().is_empty());
    assert!(t["ops"]
        .as_array()
        .unwrap()
        .iter()
        .all(|o| o["v"].as_array().unwrap().is_empty()));
}
