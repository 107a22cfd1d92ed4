package io.wallaby.engine.session;

import io.netty.channel.Channel;
import io.netty.util.AttributeKey;

/** Marks a channel whose session is ending, so that frames already decoded behind the fatal one are ignored. */
public final class Sessions {

    private static final AttributeKey<Boolean> ENDING = AttributeKey.valueOf("wallaby.session.ending");

    private Sessions() {
    }

    /** Marks the session as ending; true the first time only. */
    public static boolean markEnding(Channel channel) {
        return channel.attr(ENDING).setIfAbsent(Boolean.TRUE) == null;
    }

    public static boolean isEnding(Channel channel) {
        return Boolean.TRUE.equals(channel.attr(ENDING).get());
    }
}
