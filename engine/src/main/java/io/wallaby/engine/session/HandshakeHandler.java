package io.wallaby.engine.session;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.wallaby.protocol.Frame;
import io.wallaby.protocol.FrameType;
import io.wallaby.protocol.ProtocolException;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * Session state, first part: the connector's HELLO. Checks the version and the cookie, answers
 * OK(initial credits), fires {@link HandshakeCompleted} to the session handler behind it and leaves
 * the pipeline. Anything else first, a wrong version or a wrong cookie is a {@link ProtocolException}
 * (ERROR, then close).
 */
public final class HandshakeHandler extends SimpleChannelInboundHandler<Frame> {

    private final byte[] cookie;
    private final long initialCredits;

    public HandshakeHandler(String cookie, long initialCredits) {
        this.cookie = cookie.getBytes(StandardCharsets.UTF_8);
        this.initialCredits = initialCredits;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, Frame frame) {
        if (Sessions.isEnding(ctx.channel())) {
            return;
        }
        if (frame.type() != FrameType.HELLO) {
            throw new ProtocolException("expected HELLO as the first frame, got " + frame.type());
        }
        Frame.Hello hello = (Frame.Hello) frame;
        if (!Frame.VERSION.equals(hello.version())) {
            throw new ProtocolException("unsupported protocol version " + hello.version()
                    + ": this engine speaks " + Frame.VERSION);
        }
        // Constant time, so that the time to answer says nothing about how much of the cookie was right.
        if (!MessageDigest.isEqual(cookie, hello.cookie().getBytes(StandardCharsets.UTF_8))) {
            throw new ProtocolException("bad cookie: the connector's cookie does not match the engine's --cookie");
        }
        ctx.writeAndFlush(new Frame.Ok(initialCredits));
        ctx.fireUserEventTriggered(new HandshakeCompleted(hello));
        ctx.pipeline().remove(this);
    }
}
