import { useAuth } from '../stores/auth';
import { queryClient } from './query';

/** Revokes the refresh token on the server (best effort) and forgets the session here. */
export async function signOut(): Promise<void> {
  const { refreshToken, accessToken } = useAuth.getState();
  if (refreshToken) {
    await fetch(`${window.location.origin}/api/auth/logout`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(accessToken ? { authorization: `Bearer ${accessToken}` } : {}),
      },
      body: JSON.stringify({ refreshToken }),
    }).catch(() => undefined);
  }
  useAuth.getState().signOut();
  queryClient.clear();
}
