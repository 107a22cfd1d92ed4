package io.wallaby.engine.connection;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.wallaby.engine.session.HandshakeCompleted;

import java.time.Instant;

/** Lists a connection in {@link Connectors} from its HELLO until it closes. One instance per port. */
@ChannelHandler.Sharable
public final class ConnectorDirectoryHandler extends ChannelInboundHandlerAdapter {

    private final String port;
    private final Connectors connectors;

    public ConnectorDirectoryHandler(String port, Connectors connectors) {
        this.port = port;
        this.connectors = connectors;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
        if (event instanceof HandshakeCompleted handshake) {
            String remote = String.valueOf(ctx.channel().remoteAddress());
            connectors.add(ctx.channel().id(), new ConnectorInfo(port, handshake.hello().programName(),
                    handshake.hello().instanceName(), remote, Instant.now(), handshake.connector() + "@" + remote));
        }
        super.userEventTriggered(ctx, event);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        connectors.remove(ctx.channel().id());
        super.channelInactive(ctx);
    }
}
