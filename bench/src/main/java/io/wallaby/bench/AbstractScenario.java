package io.wallaby.bench;

/** The key and title every scenario has, so each class holds only what it measures. */
abstract class AbstractScenario implements Scenario {

    private final String key;
    private final String title;

    AbstractScenario(String key, String title) {
        this.key = key;
        this.title = title;
    }

    @Override
    public final String key() {
        return key;
    }

    @Override
    public final String title() {
        return title;
    }
}
