// The session store's functions for components that only need them.
import { useSession, dropUiState } from './stores/session'

export { dropUiState }

export function allowed(command: string): boolean {
  return useSession().allowed(command)
}
