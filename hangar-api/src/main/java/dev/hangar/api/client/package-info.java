/**
 * The typed Java client of Hangar's REST API: {@link dev.hangar.api.client.HangarClient} with its
 * {@link dev.hangar.api.client.ClientSettings}, and the two ways a call fails: {@link
 * dev.hangar.api.client.ApiException} (the server said no, with an RFC 9457 problem) and {@link
 * dev.hangar.api.client.ServerUnreachableException} (nobody answered).
 */
package dev.hangar.api.client;
