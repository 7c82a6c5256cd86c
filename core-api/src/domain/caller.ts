/** The signed-in caller, from a verified access token: whom a service acts for. */
export interface AuthUser {
  id: string;
  role: 'customer' | 'seller';
  /** The refresh-token family (session) the access token was issued for. */
  sessionId: string;
}
