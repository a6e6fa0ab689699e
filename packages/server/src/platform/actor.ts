/** Who is making a request: the signed-in user and the session (device) they use. */
export interface Actor {
  userId: string;
  sessionId: string;
}
