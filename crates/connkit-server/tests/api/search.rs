//! GET /connections?search=…: a literal, case-insensitive (ASCII) substring of the connection
//! id, the end user's display name or email, whatever bytes the search holds. SQLite's LIKE
//! stops reading a pattern at a NUL, so `%00` once matched every connection.

use serde_json::json;

use crate::support::{Resp, TestApp, connection_ids};

fn ids(resp: &Resp) -> Vec<String> {
    assert_eq!(resp.status, 200, "{}", resp.json);
    connection_ids(resp)
}

#[tokio::test]
async fn a_nul_in_search_is_a_character_not_the_end() {
    let app = TestApp::new().await;
    let plain = app
        .api_key_connection(
            json!({"end_user": {"id": "u1", "display_name": "Ada Lovelace"}, "tags": {}}),
            "acme",
        )
        .await;
    let with_nul = app
        .api_key_connection(
            json!({"end_user": {"id": "u2", "display_name": "Grace\u{0}Hopper"}, "tags": {}}),
            "acme",
        )
        .await;
    let search = |query: &str| {
        let app = &app;
        let uri = format!("/connections?search={query}");
        async move { ids(&app.secret("GET", &uri, None).await) }
    };
    assert!(search("%00").await.contains(&with_nul));
    assert!(
        !search("%00").await.contains(&plain),
        "a NUL matches only a NUL"
    );
    assert_eq!(search("ada%00").await, Vec::<String>::new());
    assert_eq!(search("e%00h").await, [with_nul.as_str()]);
    assert_eq!(search("%00%00").await, Vec::<String>::new());
    // Literal: LIKE's wildcards and escape are plain characters.
    for query in ["%25", "_", "%5C", "a_a", "%25a"] {
        assert_eq!(search(query).await, Vec::<String>::new(), "{query}");
    }
    assert_eq!(search("LOVELACE").await, [plain.as_str()]);
    assert_eq!(search("a%20l").await, [plain.as_str()]);
}
