package io.wallaby.connector;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Collection;

/**
 * {@code --tls-trust}: an SSL socket factory that trusts exactly the certificates of one PEM file (a
 * certificate or a bundle), and nothing else, not even the JDK's default authorities.
 */
final class TlsTrust {

    private TlsTrust() {
    }

    /**
     * Reads {@code pem} and builds the socket factory.
     *
     * @throws ConfigurationException when the file is missing, unreadable, or holds no X.509 certificate
     */
    static SSLSocketFactory socketFactory(Path pem) {
        Collection<? extends Certificate> certificates;
        try (InputStream in = Files.newInputStream(pem)) {
            certificates = CertificateFactory.getInstance("X.509").generateCertificates(in);
        } catch (IOException e) {
            throw new ConfigurationException("--tls-trust " + pem + " cannot be read (" + e + "); give the PEM"
                    + " file holding the engine's certificate (the one the engine's --tls-cert names)", e);
        } catch (GeneralSecurityException e) {
            throw new ConfigurationException("--tls-trust " + pem + " is not a PEM X.509 certificate or bundle ("
                    + e.getMessage() + "); give the PEM file holding the engine's certificate", e);
        }
        if (certificates.isEmpty()) {
            throw new ConfigurationException("--tls-trust " + pem + " holds no certificate; give the PEM file"
                    + " holding the engine's certificate (-----BEGIN CERTIFICATE----- blocks)");
        }
        try {
            KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
            trusted.load(null, null);
            int i = 0;
            for (Certificate certificate : certificates) {
                trusted.setCertificateEntry("trusted-" + i++, certificate);
            }
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(trusted);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trust.getTrustManagers(), null);
            return context.getSocketFactory();
        } catch (GeneralSecurityException | IOException e) {
            throw new ConfigurationException("--tls-trust " + pem + ": cannot build a trust store from it ("
                    + e.getMessage() + ")", e);
        }
    }
}
