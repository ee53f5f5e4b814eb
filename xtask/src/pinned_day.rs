//! issue #11: no test depends on the date it runs on. The harnesses refuse
//! an unpinned start at run time (e2e `App::start` asserts the sandbox has
//! `WINDOW_CLERK_TODAY`; the app tests build every app through `app_on(day,
//! …)`); this check keeps the sources that way, so it cannot come back.

#[cfg(test)]
mod tests {
    use crate::root;

    /// Every end-to-end test file that starts the app pins its day.
    #[test]
    fn every_e2e_test_that_starts_the_app_pins_its_day() {
        let dir = root().join("tests/e2e/tests");
        let mut checked = 0;
        for f in std::fs::read_dir(&dir).unwrap() {
            let p = f.unwrap().path();
            let text = std::fs::read_to_string(&p).unwrap();
            if !text.contains("App::start") {
                continue;
            }
            checked += 1;
            let starts = text.matches("App::start").count();
            assert!(
                text.contains(".on_day("),
                "{} starts the app {starts}× without a pinned day: add .on_day(…) to its Sandbox",
                p.display()
            );
            // Each Sandbox made there is pinned in the same statement.
            for (i, part) in text.split("Sandbox::new()").enumerate().skip(1) {
                let stmt = part.split(';').next().unwrap_or("");
                assert!(
                    stmt.contains(".on_day("),
                    "{}: Sandbox #{i} is not pinned to a day: {stmt}",
                    p.display()
                );
            }
        }
        assert!(
            checked >= 5,
            "found only {checked} e2e files starting the app"
        );
        // The harness itself refuses an unpinned start.
        let lib = std::fs::read_to_string(root().join("tests/e2e/src/lib.rs")).unwrap();
        assert!(lib.contains("the app would run on today's date"));
    }

    /// The app tests build their app in one place, which pins the day.
    #[test]
    fn the_app_tests_build_every_app_on_a_pinned_day() {
        let text = std::fs::read_to_string(root().join("src-tauri/src/tests.rs")).unwrap();
        assert_eq!(
            text.matches("AppCore::new(").count(),
            1,
            "src-tauri/src/tests.rs: build apps through app()/app_on(), which pin the day"
        );
        let at = text.find("AppCore::new(").unwrap();
        assert!(
            text[at..]
                .split(".build(tauri::generate_context!())")
                .next()
                .unwrap()
                .contains(".on_day("),
            "the one AppCore::new in the app tests must be followed by .on_day(…)"
        );
    }
}
