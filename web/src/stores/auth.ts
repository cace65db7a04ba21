import { create } from 'zustand';
import { createJSONStorage, persist } from 'zustand/middleware';
import type { components } from '../api/schema';

export type Me = components['schemas']['MeView'];
export type TokenPair = components['schemas']['TokenPairView'];

interface AuthState {
  accessToken: string | null;
  refreshToken: string | null;
  user: Me | null;
  signIn(pair: TokenPair): void;
  setTokens(pair: TokenPair): void;
  signOut(): void;
}

/** Tokens and the signed-in user; persisted so a reload keeps the session (the refresh token renews it). */
export const useAuth = create<AuthState>()(
  persist(
    (set) => ({
      accessToken: null,
      refreshToken: null,
      user: null,
      signIn: (pair) =>
        set({ accessToken: pair.accessToken, refreshToken: pair.refreshToken, user: pair.user }),
      setTokens: (pair) =>
        set({ accessToken: pair.accessToken, refreshToken: pair.refreshToken, user: pair.user }),
      signOut: () => set({ accessToken: null, refreshToken: null, user: null }),
    }),
    { name: 'lrp-auth', storage: createJSONStorage(() => localStorage) },
  ),
);

export const isAdmin = (user: Me | null) => user?.role === 'admin';
