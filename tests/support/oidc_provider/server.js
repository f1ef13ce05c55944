// A certified OpenID provider (the `oidc-provider` package) for the portal's tests, on
// http://127.0.0.1:PORT. Its development login page takes any name (any password): the name is
// the person's `sub` and `preferred_username`, their address is name@sadec.gov.vn. Started by
// tests/support/identity.py with the portal's client in CLIENTS (JSON) and the lifetime of an
// authorization code in CODE_TTL seconds. For tests only: its signing and cookie keys are
// throw-away ones.
import Provider from 'oidc-provider';

const port = Number(process.env.PORT);
const issuer = `http://127.0.0.1:${port}`;
const clients = JSON.parse(process.env.CLIENTS);

const configuration = {
  clients,
  pkce: { required: () => true },
  claims: {
    openid: ['sub'],
    profile: ['preferred_username', 'name'],
    email: ['email', 'email_verified'],
  },
  async findAccount(ctx, id) {
    return {
      accountId: id,
      async claims() {
        return {
          sub: id, preferred_username: id, name: id,
          email: `${id}@sadec.gov.vn`, email_verified: true,
        };
      },
    };
  },
  // The portal's client is the province's own: no consent page.
  async loadExistingGrant(ctx) {
    const grantId = ctx.oidc.result?.consent?.grantId
      || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) {
      return ctx.oidc.provider.Grant.find(grantId);
    }
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope('openid profile email');
    await grant.save();
    return grant;
  },
  ttl: {
    AuthorizationCode: Number(process.env.CODE_TTL || 60),
    IdToken: 600, AccessToken: 600, Grant: 600, Interaction: 600, Session: 600,
  },
  features: {
    devInteractions: { enabled: true },
    rpInitiatedLogout: { enabled: true },
  },
  cookies: { keys: ['test-only-cookie-key'] },
};

const provider = new Provider(issuer, configuration);
provider.listen(port, '127.0.0.1', () => {
  console.log(`listening on ${issuer}`);
});
